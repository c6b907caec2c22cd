#!/usr/bin/env python3
"""link_cases - the replication link between two tandem hosts, end to end.

    tests/system/link_cases.py [SCENARIO...]     (default: all)

Each scenario boots a pair with tools/twinlib.py (QEMU TCG unless named
bochs-*) and reports one or more cases, each one line:

    PASS link/<scenario>/<case>
    FAIL link/<scenario>/<case>: <reason>

followed, for a failure, by the tail of both serial logs. A scenario that
cannot boot fails every case it would have reported. Files stay in
$BUILD/test/link/<scenario>/ (images removed): a.serial, b.serial,
relay.log, emulator logs.
"""
import os
import re
import shutil
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'tools'))
import twinlib  # noqa: E402
from twinlib import Faults, Twin, TwinError, check_linktest  # noqa: E402

OUT = os.path.join(twinlib.BUILD, 'test', 'link')
TAIL = int(os.environ.get('TAIL_LINES', '30'))
KEY = '00112233445566778899aabbccddeeff'
WRONG_KEY = 'ffeeddccbbaa99887766554433221100'
TIMEOUT_MS = 1000
BOCHS_UP = float(os.environ.get('BOCHS_TIMEOUT', '240'))


class Case(Exception):
    """A case failed: the message is the reason."""


def counters(host):
    return twinlib.link_counters(host.console.command('link'))


def report(scenario, results, twin):
    """Print the PASS/FAIL lines; for failures, the serial logs."""
    failed = False
    for name, why in results:
        if why is None:
            print(f'PASS link/{scenario}/{name}')
        else:
            failed = True
            print(f'FAIL link/{scenario}/{name}: {why}')
    if failed and twin:
        for h in twin.hosts:
            print(f'    {h.name}.serial ({h.log}), last {TAIL} lines:')
            try:
                text = h.console.text() if h.console else ''
            except Exception:
                text = ''
            lines = text.splitlines()[-TAIL:] or ['(empty)']
            for line in lines:
                print(f'    | {line}')
    sys.stdout.flush()
    return not failed


class Scenario:
    """Runs cases in order on one pair; after a failure of the pair
    itself (boot, handshake) the remaining cases fail with it."""

    def __init__(self, name, **twin_args):
        self.name = name
        self.dir = os.path.join(OUT, name)
        twinlib.clean_dir(self.dir)
        self.twin = Twin(self.dir, **twin_args)
        self.results = []
        self.broken = None
        self.t0 = time.monotonic()

    def case(self, name, fn):
        if self.broken:
            self.results.append((name, self.broken))
            return
        try:
            fn()
            self.results.append((name, None))
        except (Case, TwinError) as e:
            self.results.append((name, str(e)))
        except Exception as e:  # a bug in the test: say where
            tb = traceback.format_exc().strip().splitlines()[-1]
            self.results.append((name, f'{type(e).__name__}: {e} ({tb})'))

    def must(self, name, fn):
        """A case the following ones depend on."""
        self.case(name, fn)
        if self.results[-1][1] is not None:
            self.broken = f'not run: {name} failed'

    def finish(self):
        self.twin.stop()
        for h in self.twin.hosts:
            if os.path.exists(h.image):
                os.unlink(h.image)
        ok = report(self.name, self.results, self.twin)
        print(f'    ({time.monotonic() - self.t0:.0f} s)')
        return ok


def handshake(s):
    def run():
        s.twin.start()
        s.sid = s.twin.wait_up(60)
        for h, peer in ((s.twin.a, s.twin.b), (s.twin.b, s.twin.a)):
            h.console.monitor()
            out = h.console.command('link')
            if not re.search(r'state\s+up', out):
                raise Case(f'{h.name}: link state is not up: {out!r}')
            mac = s.twin.macs[0 if peer is s.twin.a else 1]
            if not re.search(rf'peer\s+{mac} \(\w+\), session {s.sid}', out):
                raise Case(f'{h.name}: link shows another peer or '
                           f'session: {out!r}')
    return run


def transfer(s, sender, receiver, mib=1):
    def run():
        kibs, rtt, digest = check_linktest(s.twin, sender, receiver, mib)
        s.kibs = kibs
    return run


def peer_lost(s):
    """Kill b's emulator: a reports the loss within the timeout."""
    def run():
        t_kill = time.monotonic()
        s.twin.b.kill()
        m = s.twin.a.expect(r'link: peer \S+ lost: nothing heard for (\d+) '
                            r'ms \(timeout (\d+) ms\)', 10)
        took = time.monotonic() - t_kill
        heard, timeout = int(m.group(1)), int(m.group(2))
        if timeout != TIMEOUT_MS:
            raise Case(f'timeout {timeout} ms, configured {TIMEOUT_MS}')
        # the host sees the console line a moment after tandem decides
        if took > TIMEOUT_MS / 1000 + 0.5:
            raise Case(f'reported {took:.2f} s after the kill, timeout '
                       f'{TIMEOUT_MS} ms')
        # one poll late at most; a loaded host may deschedule the
        # emulator for a moment
        if heard > TIMEOUT_MS + 250:
            raise Case(f'silent for {heard} ms before it was reported')
        out = s.twin.a.console.command('link')
        if not re.search(r'state\s+connecting', out):
            raise Case(f'a is not back to connecting: {out!r}')
    return run


def scen_qemu_e1000():
    s = Scenario('qemu-e1000', cfg={'link_timeout_ms': TIMEOUT_MS})
    s.must('handshake', handshake(s))
    s.case('transfer-1MiB', transfer(s, s.twin.a, s.twin.b))
    s.case('transfer-back-1MiB', transfer(s, s.twin.b, s.twin.a))
    s.case('peer-lost', peer_lost(s))
    return s.finish()


def scen_qemu_e1000e():
    s = Scenario('qemu-e1000e', nic='e1000e')
    s.must('handshake', handshake(s))

    def nic_model():
        out = s.twin.a.console.command('link')
        if '82574L' not in out:
            raise Case(f'not the 82574L: {out!r}')
        # the 82574L's own EERD layout read the same MAC as RAL held
        if not s.twin.a.console.find(r'NIC e1000 82574L at \S+, MAC '
                                     r'52:54:00:54:00:01 \(the EEPROM '
                                     r'agrees\)'):
            raise Case('the EEPROM (EERD, 82574L layout) did not give '
                       'the MAC address')
    s.case('nic-82574L-eeprom', nic_model)
    s.case('transfer-1MiB', transfer(s, s.twin.a, s.twin.b))
    return s.finish()


def scen_qemu_fw_driver():
    """The NIC's iPXE option ROM kept and its UEFI driver bound before
    tandem takes the NIC (link_test_connect): boot/efi_nic.c stops it."""
    s = Scenario('qemu-fw-driver', nic_rom=True,
                 cfg={'link_test_connect': 1})

    def stopped():
        handshake(s)()
        for h in s.twin.hosts:
            if not h.console.find(r'link: test: ConnectController on the '
                                  r'NIC: status \w+, a driver has it'):
                raise Case(f'{h.name}: no firmware driver was bound to '
                           f'the NIC, nothing to test')
            if not h.console.find(r'link: NIC \S+ \(82540EM\): firmware '
                                  r'drivers stopped'):
                raise Case(f'{h.name}: the firmware driver was not '
                           f'stopped')
    s.must('driver-stopped', stopped)
    s.case('transfer-1MiB', transfer(s, s.twin.a, s.twin.b))
    return s.finish()


def scen_qemu_faults():
    f = Faults(drop=0.05, dup=0.01, corrupt=0.01, reorder=0.02, delay=0.2)
    s = Scenario('qemu-faults', faults=f, seed=7)
    s.must('handshake', handshake(s))
    s.case('transfer-1MiB', transfer(s, s.twin.a, s.twin.b))

    def recovered():
        a, b = counters(s.twin.a), counters(s.twin.b)
        st = s.twin.relay.stats
        if not st['dropped'] or not st['corrupted'] or not st['duplicated']:
            raise Case(f'the relay injected too little: {st}')
        if a.get('retransmit', 0) == 0:
            raise Case(f'a retransmitted nothing: {a}')
        bad = a.get('bad frames', 0) + b.get('bad frames', 0)
        crc = a.get('bad CRC', 0) + b.get('bad CRC', 0) + \
            a.get('bad length', 0) + b.get('bad length', 0)
        dups = sum(c.get(k, 0) for c in (a, b)
                   for k in ('duplicate', 'replay'))
        if not bad or not crc or not dups:
            raise Case(f'corrupt/duplicate frames not counted: a {a}, '
                       f'b {b}')
    s.case('faults-counted', recovered)
    return s.finish()


def scen_qemu_version():
    s = Scenario('qemu-version', cfg_b={'link_test_version': 2})

    def refused():
        s.twin.start()
        a, b = s.twin.a, s.twin.b
        a.expect(r'link: refusing \S+: protocol version differs \(peer 2, '
                 r'this host 1\)', 60)
        b.expect(r'link: refusing \S+: protocol version differs \(peer 1, '
                 r'this host 2\)', 60)
        time.sleep(1)
        for h in (a, b):
            if h.console.find(r'link: up'):
                raise Case(f'{h.name}: link came up despite the mismatch')
            h.console.monitor()
            out = h.console.command('link')
            if not re.search(r'state\s+refused', out) or \
                    'protocol version differs' not in out:
                raise Case(f'{h.name}: link does not show the refusal: '
                           f'{out!r}')
    s.case('refused-both-consoles', refused)
    return s.finish()


def scen_qemu_auth():
    s = Scenario('qemu-auth', cfg={'link_key': KEY}, seed=11,
                 forge_key=bytes.fromhex(WRONG_KEY), forge_rate=50)

    def up():
        handshake(s)()
        if not s.twin.a.console.find(r'session [0-9a-f]{8}, authenticated'):
            raise Case('the session is not authenticated')
    s.must('handshake', up)
    s.case('transfer-1MiB', transfer(s, s.twin.a, s.twin.b))

    def rejected():
        time.sleep(1)
        a, b = counters(s.twin.a), counters(s.twin.b)
        st = s.twin.relay.stats
        if st['forged'] < 20 or not st['replayed']:
            raise Case(f'the third sender sent too little: {st}')
        for name, c in (('a', a), ('b', b)):
            if c.get('bad tag', 0) < 5:
                raise Case(f'{name}: forged frames not counted as bad tag: '
                           f'{c}')
            if c.get('state') != 'up':
                raise Case(f'{name}: link not up after the attack: {c}')
        if not any(c.get('replay', 0) + c.get('duplicate', 0)
                   for c in (a, b)):
            raise Case(f'replayed frames not counted: a {a}, b {b}')
        if s.twin.a.console.find(r'link: up: .*\n(.|\n)*link: up: ') or \
                s.twin.a.console.find(r'peer \S+ lost'):
            raise Case('the session was disturbed by the third sender')
    s.case('third-sender-rejected', rejected)
    return s.finish()


def scen_bochs():
    s = Scenario('bochs-e1000', emu='bochs')

    def up():
        s.twin.start()
        s.sid = s.twin.wait_up(BOCHS_UP)
        for h in s.twin.hosts:
            if not h.console.find(r'VT-x enabled'):
                raise Case(f'{h.name}: no VT-x in Bochs?')
            h.console.monitor()
    s.must('handshake', up)
    s.case('transfer-1MiB', transfer(s, s.twin.a, s.twin.b))
    return s.finish()


def scen_fuzz():
    """A short libFuzzer run of the frame parser and link (make fuzz runs
    longer)."""
    name = 'fuzz'
    if not shutil.which('clang'):
        print(f'FAIL link/{name}/frames-10s: no clang (tools/deps fuzz)')
        return False
    r = subprocess.run(['make', '-s', '--no-print-directory', 'fuzz',
                        'FUZZ_TIME=10', f'BUILD={twinlib.BUILD}'],
                       cwd=twinlib.ROOT, capture_output=True, text=True)
    if r.returncode:
        print(f'FAIL link/{name}/frames-10s: make fuzz failed')
        for line in (r.stdout + r.stderr).splitlines()[-TAIL:]:
            print(f'    | {line}')
        return False
    runs = re.search(r'stat::number_of_executed_units: (\d+)', r.stderr)
    print(f'PASS link/{name}/frames-10s')
    print(f'    ({runs.group(1) if runs else "?"} inputs)')
    return True


SCENARIOS = {
    'qemu-e1000': scen_qemu_e1000,
    'qemu-e1000e': scen_qemu_e1000e,
    'qemu-fw-driver': scen_qemu_fw_driver,
    'qemu-faults': scen_qemu_faults,
    'qemu-version': scen_qemu_version,
    'qemu-auth': scen_qemu_auth,
    'bochs-e1000': scen_bochs,
    'fuzz': scen_fuzz,
}


def main():
    names = sys.argv[1:] or list(SCENARIOS)
    for n in names:
        if n not in SCENARIOS:
            print(f'link_cases: unknown scenario {n!r} '
                  f'({", ".join(SCENARIOS)})', file=sys.stderr)
            return 2
    try:
        twinlib.require_built()
    except TwinError as e:
        print(f'FAIL link/build: {e}')
        return 1
    ok = True
    for n in names:
        ok &= SCENARIOS[n]()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
