"""twinlib - two tandem hosts wired together, for tests and benchmarks.

A Twin is a pair of emulated machines, each booting its own copy of a
tandem image with its own tandem.cfg and serial log, their NICs on one
emulated wire:

    QEMU TCG   -netdev dgram (UDP), e1000 (82540EM) or e1000e (82574L)
    Bochs      e1000 with ethmod=socket, through bxhub

and optionally a fault injector of ours on the wire (Relay: seeded drop,
duplicate, corrupt, reorder and delay; a forging third sender). Serial
consoles are scriptable (Console): QEMU's is a unix socket, Bochs's COM1
connects to a TCP port we listen on.

Used by tools/twin, tools/wirefault, tools/bench-link and the twin lane
(tests/system/twin-lane). Python 3 standard library only.
"""
import fcntl
import heapq
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get('BUILD', 'build'))
OVMF = os.environ.get('OVMF', '/usr/share/ovmf/OVMF.fd')
ANSI = re.compile(rb'\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Za-z0-9]|'
                  rb'\x1b[=>cM78]|\r')
PROMPT = '(tandem) '
ETHERTYPE = 0x88b5


class TwinError(Exception):
    pass


def free_port(kind=socket.SOCK_DGRAM, pair=False):
    """A free port on 127.0.0.1 (pair: p and p + 1 both free)."""
    for _ in range(200):
        s = socket.socket(socket.AF_INET, kind)
        s.bind(('127.0.0.1', 0))
        p = s.getsockname()[1]
        s.close()
        if not pair:
            return p
        if p >= 65535:
            continue
        t = socket.socket(socket.AF_INET, kind)
        try:
            t.bind(('127.0.0.1', p + 1))
            return p
        except OSError:
            continue
        finally:
            t.close()
    raise TwinError('no free port')


# --- CRC-32C and SipHash-2-4, as ft/crc32c.c and ft/siphash.c -----------

def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
        t.append(c)
    return t


_CRC = _crc_table()


def crc32c(data, crc=0):
    crc ^= 0xffffffff
    for b in data:
        crc = (crc >> 8) ^ _CRC[(crc ^ b) & 0xff]
    return crc ^ 0xffffffff


M64 = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def siphash(key, data, out128=False):
    k0, k1 = struct.unpack('<QQ', key)
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
         k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]
    if out128:
        v[1] ^= 0xee

    def rnd():
        v[0] = (v[0] + v[1]) & M64
        v[1] = _rotl(v[1], 13) ^ v[0]
        v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M64
        v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M64
        v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M64
        v[1] = _rotl(v[1], 17) ^ v[2]
        v[2] = _rotl(v[2], 32)

    n = len(data)
    tail = data[n - n % 8:] + bytes(7 - n % 8) + bytes([n & 0xff])
    words = [struct.unpack_from('<Q', data, i)[0]
             for i in range(0, n - n % 8, 8)]
    words.append(struct.unpack('<Q', tail)[0])
    for m in words:
        v[3] ^= m
        rnd()
        rnd()
        v[0] ^= m
    v[2] ^= 0xee if out128 else 0xff
    for _ in range(4):
        rnd()
    out = struct.pack('<Q', v[0] ^ v[1] ^ v[2] ^ v[3])
    if not out128:
        return out
    v[1] ^= 0xdd
    for _ in range(4):
        rnd()
    return out + struct.pack('<Q', v[0] ^ v[1] ^ v[2] ^ v[3])


def link_frame(dst, src, ftype, payload=b'', session=0, xid=0, seq=0,
               ack=0, key=None, version=1, window=32):
    """A link frame as ft/frame.c seals it (see ft/frame.h)."""
    flags = 1 if key else 0
    hdr = struct.pack('>BBBBIIIIQHHI', version, ftype, flags, 0, session,
                      xid, seq, ack, 0, window, len(payload), 0)
    body = hdr + payload
    if key:
        body += siphash(key, body, True)
    body += struct.pack('>I', crc32c(body))
    frame = dst + src + struct.pack('>H', ETHERTYPE) + body
    return frame + bytes(max(0, 60 - len(frame)))


def hello_payload(role, nonce, build_id=0, cfg_digest=0, version=1):
    return struct.pack('>BBHIQQQQB3x', version, role, 32, 1000, build_id,
                       cfg_digest, nonce, 0, 0)


# --- the fault injector -------------------------------------------------

class Faults:
    """Per-frame fault rates (0..1) and delays (ms)."""

    def __init__(self, drop=0.0, dup=0.0, corrupt=0.0, reorder=0.0,
                 delay=0.0, jitter=0.0):
        self.drop, self.dup, self.corrupt = drop, dup, corrupt
        self.reorder, self.delay, self.jitter = reorder, delay, jitter

    @classmethod
    def parse(cls, text):
        """'drop=0.05,dup=0.01,corrupt=0.01,reorder=0.02,delay=1' (rates
        as fractions or with %, delays in ms)."""
        f = cls()
        for item in filter(None, (text or '').split(',')):
            k, _, v = item.partition('=')
            k = k.strip()
            if not hasattr(f, k):
                raise TwinError(f'unknown fault {k!r}')
            v = v.strip()
            x = float(v[:-1]) / 100 if v.endswith('%') else float(v)
            setattr(f, k, x)
        return f

    def __str__(self):
        return ','.join(f'{k}={getattr(self, k):g}' for k in
                        ('drop', 'dup', 'corrupt', 'reorder', 'delay',
                         'jitter'))


class Relay(threading.Thread):
    """Relay Ethernet frames carried in UDP datagrams between two
    emulators, with seeded faults.

    End k is (rx, port): the emulator receives on 127.0.0.1:rx and sends
    to 127.0.0.1:port, where the relay listens. That is QEMU's
    -netdev dgram,local=rx,remote=port, and Bochs's ethmod=socket with
    ethdev=rx (which sends to rx + 1: port = rx + 1).

    forge_key: be a third sender too, forge_rate times a second: HELLOs
    and session frames tagged with this (wrong) key and a spoofed source,
    and replays of real frames recorded earlier.
    """

    def __init__(self, ends, faults=None, seed=1, forge_key=None,
                 forge_rate=0.0, log=None):
        super().__init__(daemon=True)
        self.ends = ends
        self.f = faults or Faults()
        self.rng = random.Random(seed)
        self.forge_key = forge_key
        self.forge_rate = forge_rate
        self.log = log
        self.socks = []
        for _, port in ends:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
            s.bind(('127.0.0.1', port))
            self.socks.append(s)
        self.pending = []       # heap of (time, n, to, frame)
        self.n = 0
        self.stats = {k: 0 for k in ('frames', 'dropped', 'duplicated',
                                     'corrupted', 'reordered', 'forged',
                                     'replayed')}
        self.macs = [None, None]
        self.session = 0
        self.recorded = []
        self.stop_ev = threading.Event()

    def _queue(self, to, frame, extra=0.0):
        f = self.f
        t = time.monotonic() + (f.delay + extra +
                                self.rng.random() * f.jitter) / 1000
        self.n += 1
        heapq.heappush(self.pending, (t, self.n, to, frame))

    def _learn(self, frm, frame):
        if len(frame) < 14 + 32:
            return
        if self.macs[frm] is None:
            self.macs[frm] = frame[6:12]
        if struct.unpack_from('>H', frame, 12)[0] != ETHERTYPE:
            return
        ftype, session = frame[15], struct.unpack_from('>I', frame, 18)[0]
        if ftype in (3, 4) and session:
            self.session = session
            if len(self.recorded) < 32:
                self.recorded.append((1 - frm, frame))

    def _pass(self, frm, frame):
        """One frame from end frm: apply the faults, queue the rest."""
        rng, f, st = self.rng, self.f, self.stats
        to = 1 - frm
        st['frames'] += 1
        self._learn(frm, frame)
        if rng.random() < f.drop:
            st['dropped'] += 1
            return
        copies = 1
        if rng.random() < f.dup:
            st['duplicated'] += 1
            copies = 2
        if rng.random() < f.corrupt and len(frame) > 14:
            st['corrupted'] += 1
            b = bytearray(frame)
            for _ in range(rng.randint(1, 3)):
                b[rng.randrange(14, len(b))] ^= rng.randint(1, 255)
            frame = bytes(b)
        extra = 0.0
        if rng.random() < f.reorder:
            st['reordered'] += 1
            extra = 1.0 + rng.random() * 3.0
        for i in range(copies):
            self._queue(to, frame, extra + i * 0.2)

    def _forge(self):
        """The third sender: frames with the wrong key, to each end."""
        rng, key = self.rng, self.forge_key
        for to in (0, 1):
            dst = self.macs[to]
            victim_peer = self.macs[1 - to]
            if dst is None or victim_peer is None:
                continue
            third = bytes([0x52, 0x54, 0, 0x66, 0x66, 0x66])
            kind = rng.randrange(4)
            if kind == 0:
                fr = link_frame(b'\xff' * 6, third, 1,
                                hello_payload(1 + to, rng.getrandbits(63)),
                                key=key)
            elif kind == 1:
                fr = link_frame(dst, victim_peer, 1,
                                hello_payload(2 - to, rng.getrandbits(63)),
                                key=key)
            elif kind == 2:
                rec = b'\x00\x04' + b'\x01' + b'evil'
                fr = link_frame(dst, victim_peer, 3, rec,
                                session=self.session,
                                xid=rng.getrandbits(31) + 1,
                                seq=rng.getrandbits(31) + 1, ack=1, key=key)
            else:
                fr = link_frame(dst, victim_peer, 4, b'',
                                session=self.session,
                                xid=rng.getrandbits(31) + 1, ack=1, key=key)
            self.stats['forged'] += 1
            self._queue(to, fr)
        if self.recorded:
            to, fr = self.recorded[rng.randrange(len(self.recorded))]
            self.stats['replayed'] += 1
            self._queue(to, fr)

    def run(self):
        next_forge = time.monotonic()
        while not self.stop_ev.is_set():
            now = time.monotonic()
            while self.pending and self.pending[0][0] <= now:
                _, _, to, frame = heapq.heappop(self.pending)
                try:
                    self.socks[to].sendto(frame,
                                          ('127.0.0.1', self.ends[to][0]))
                except OSError:
                    pass
            if self.forge_key and self.forge_rate and now >= next_forge:
                self._forge()
                next_forge = now + 1.0 / self.forge_rate
            wait = 0.05
            if self.pending:
                wait = max(0.0, min(wait, self.pending[0][0] - now))
            r, _, _ = select.select(self.socks, [], [], wait)
            for s in r:
                frm = self.socks.index(s)
                try:
                    frame = s.recv(65536)
                except OSError:
                    continue
                self._pass(frm, frame)

    def stop(self):
        self.stop_ev.set()
        self.join(2)
        for s in self.socks:
            s.close()
        if self.log:
            with open(self.log, 'a') as f:
                f.write(f'relay {self.f}: {self.stats}\n')


# --- serial consoles ----------------------------------------------------

class Console:
    """A tandem serial console: everything read goes to a log; expect()
    matches regular expressions in the output with terminal escapes and
    CRs removed, each match starting after the previous one."""

    def __init__(self, log, char_delay=0.0):
        self.logf = open(log, 'ab')
        self.raw = bytearray()
        self.cursor = 0
        self.sock = None
        self.lock = threading.Lock()
        self.char_delay = char_delay
        self.closed = False

    def attach(self, sock):
        self.sock = sock
        threading.Thread(target=self._reader, daemon=True).start()

    def connect_unix(self, path, timeout=30):
        end = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                break
            except OSError:
                s.close()
                if time.monotonic() > end:
                    raise TwinError(f'cannot connect to {path}')
                time.sleep(0.05)
        self.attach(s)

    def accept_tcp(self, listener, timeout=60):
        listener.settimeout(timeout)
        try:
            s, _ = listener.accept()
        except socket.timeout:
            raise TwinError('the emulator never connected its serial port')
        finally:
            listener.close()
        self.attach(s)

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b''
            if not data:
                self.closed = True
                return
            with self.lock:
                self.raw += data
                self.logf.write(data)
                self.logf.flush()

    def text(self):
        with self.lock:
            raw = bytes(self.raw)
        return ANSI.sub(b'', raw).decode('utf-8', 'replace')

    def expect(self, regex, timeout=60, move=True):
        """Wait for regex after the cursor; returns the match (and moves
        the cursor past it), or raises TwinError."""
        pat = re.compile(regex)
        end = time.monotonic() + timeout
        while True:
            t = self.text()
            m = pat.search(t, self.cursor)
            if m:
                if move:
                    self.cursor = m.end()
                return m
            if time.monotonic() > end:
                raise TwinError(f'timeout ({timeout} s) waiting for '
                                f'{regex!r}; last output: '
                                f'{t[self.cursor:][-300:]!r}')
            if self.closed:
                raise TwinError(f'console closed waiting for {regex!r}')
            time.sleep(0.02)

    def find(self, regex):
        """A match anywhere in the output so far, or None."""
        return re.search(regex, self.text())

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if not self.char_delay:
            self.sock.sendall(data)
            return
        for b in data:
            self.sock.sendall(bytes([b]))
            time.sleep(self.char_delay)

    def monitor(self, timeout=30):
        """Switch to the monitor (Ctrl-A c) and wait for its prompt."""
        self.send(b'\x01c')
        self.expect(re.escape(PROMPT), timeout)

    def command(self, line, timeout=120):
        """Type a monitor command; return its output (up to the next
        prompt)."""
        start = self.cursor
        self.send(line + '\r')
        m = self.expect(re.escape(PROMPT), timeout)
        out = self.text()[start:m.start()]
        first = out.find('\n')
        return out[first + 1:] if first >= 0 else ''

    def close(self):
        try:
            if self.sock:
                self.sock.close()
        finally:
            self.logf.close()


# --- hosts --------------------------------------------------------------

def make_image(path, cfg_text, files):
    """A tandem disk image (tools/mkimage) with tandem.cfg and files."""
    cfg = path + '.cfg'
    with open(cfg, 'w') as f:
        f.write(cfg_text)
    env = dict(os.environ, MKGPT=os.path.join(BUILD, 'tools', 'mkgpt'))
    r = subprocess.run([os.path.join(ROOT, 'tools', 'mkimage'), path,
                        os.path.join(BUILD, 'tandem.efi'), cfg] + files,
                       env=env, capture_output=True, text=True)
    if r.returncode:
        raise TwinError(f'mkimage failed: {r.stderr.strip()}')


class Host:
    """One tandem machine of the pair."""

    def __init__(self, twin, name, cfg):
        self.twin, self.name, self.cfg = twin, name, cfg
        self.dir = twin.dir
        self.image = os.path.join(self.dir, f'{name}.img')
        self.log = os.path.join(self.dir, f'{name}.serial')
        self.console = None
        self.proc = None

    def cfg_text(self):
        return ''.join(f'{k} = {v}\n' for k, v in self.cfg.items())

    def build(self, files):
        make_image(self.image, self.cfg_text(), files)

    def start_qemu(self, nic, mac, rx, tx, cpu=None, rom=False):
        sock = os.path.join(self.dir, f'{self.name}.sock')
        if os.path.exists(sock):
            os.unlink(sock)
        cmd = ['qemu-system-x86_64', '-m', '512', '-bios', OVMF,
               '-drive', f'format=raw,file={self.image},if=ide',
               '-display', 'none', '-monitor', 'none', '-accel', 'tcg',
               '-no-reboot',
               '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
               '-netdev', f'dgram,id=n0,local.type=inet,'
               f'local.host=127.0.0.1,local.port={rx},remote.type=inet,'
               f'remote.host=127.0.0.1,remote.port={tx}',
               '-device', f'{nic},netdev=n0,mac={mac}' +
               ('' if rom else ',romfile='),
               '-chardev', f'socket,id=s0,path={sock},server=on,wait=off',
               '-serial', 'chardev:s0']
        if cpu:
            cmd += ['-cpu', cpu]
        self._spawn(cmd)
        self.console = Console(self.log)
        self.console.connect_unix(sock)

    def start_bochs(self, mac, ethdev):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(('127.0.0.1', 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        rc = os.path.join(self.dir, f'{self.name}.bochsrc')
        with open(rc, 'w') as f:
            f.write(f'''megs: 256
romimage: file={OVMF}
cpu: model=corei7_skylake_x, count=1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1
pci: enabled=1, chipset=i440fx
clock: sync=none, time0=946684800, rtc_sync=0
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path={self.image}, mode=flat
boot: disk
com1: enabled=1, mode=socket-client, dev=127.0.0.1:{port}
e1000: enabled=1, mac={mac}, ethmod=socket, ethdev={ethdev}
display_library: rfb, options="timeout=0"
sound: driver=dummy
info: action=report, cpu0=ignore
panic: action=fatal
log: {os.path.join(self.dir, self.name + '.bochslog')}
''')
        with open(os.path.join(self.dir, 'bochs.rc'), 'w') as f:
            f.write('c\n')
        with open(RFB_LOCK, 'w') as lock:
            # Bochs starts one at a time, host-wide (see tools/run).
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._spawn(['bochs', '-q', '-f', rc, '-rc',
                         os.path.join(self.dir, 'bochs.rc')])
            wait_rfb_listening(os.path.join(self.dir,
                                            self.name + '.bochslog'))
        # Bochs's COM1 takes bytes one per poll: type slowly.
        self.console = Console(self.log, char_delay=0.005)
        self.console.accept_tcp(listener)

    def _spawn(self, cmd):
        out = open(os.path.join(self.dir, f'{self.name}.emu.log'), 'wb')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True, cwd=self.dir)
        out.close()

    def kill(self):
        """Kill the emulator (its whole process group) at once."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()

    def expect(self, regex, timeout=60):
        return self.console.expect(regex, timeout)


# Bochs's RFB display takes the first free port from 5900, but two Bochs
# starting at the same moment can both bind one port and the loser then
# panics: tools/run and this module start Bochs under one lock.
RFB_LOCK = os.path.join(os.environ.get('TMPDIR', '/tmp'),
                        'tandem-bochs-rfb.lock')


def wait_rfb_listening(log, timeout=30.0):
    """Until Bochs's log says whether its RFB server listens."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(log, errors='replace') as f:
                if re.search(r'RFB.*(listening|could not)', f.read()):
                    return
        except FileNotFoundError:
            pass
        time.sleep(0.1)


class Twin:
    """A pair of tandem hosts, 'a' (primary) and 'b' (backup).

    emu: 'qemu' or 'bochs'; nic: QEMU device ('e1000', 'e1000e');
    cpu: QEMU -cpu model (None: QEMU's default, which lacks SSE4.2, so
    that CRC-32C runs in software); nic_rom: keep the NIC's iPXE option
    ROM, so that the firmware has a driver for it that tandem must stop
    (boot/efi_nic.c);
    faults: a Faults for the relay (None: a direct wire, or bxhub);
    relay: force the relay even without faults; forge_key/forge_rate:
    the relay's third sender; cfg / cfg_a / cfg_b: tandem.cfg keys
    (dicts; per-host ones override); files: more files for the images.
    """

    def __init__(self, dir, emu='qemu', nic='e1000', faults=None,
                 relay=False, seed=1, cfg=None, cfg_a=None, cfg_b=None,
                 forge_key=None, forge_rate=0.0, files=None,
                 guest='hello.elf', cpu=None, nic_rom=False):
        self.dir = os.path.abspath(dir)
        os.makedirs(self.dir, exist_ok=True)
        self.emu, self.nic, self.faults = emu, nic, faults
        self.cpu, self.nic_rom = cpu, nic_rom
        self.use_relay = relay or faults is not None or forge_key
        self.seed = seed
        self.forge_key, self.forge_rate = forge_key, forge_rate
        base = {'guest': guest, 'memory': '64M', 'host_exit_port': '0xf4'}
        base.update(cfg or {})
        ca = dict(base, role='primary')
        ca.update(cfg_a or {})
        cb = dict(base, role='backup')
        cb.update(cfg_b or {})
        self.a = Host(self, 'a', ca)
        self.b = Host(self, 'b', cb)
        self.files = files if files is not None else \
            [os.path.join(BUILD, 'guests', guest)]
        self.relay = None
        self.hub = None
        self.macs = ('52:54:00:54:00:01', '52:54:00:54:00:02')

    @property
    def hosts(self):
        return (self.a, self.b)

    def start(self):
        for h in self.hosts:
            h.build(self.files)
        if self.emu == 'qemu':
            self._start_qemu()
        elif self.emu == 'bochs':
            self._start_bochs()
        else:
            raise TwinError(f'unknown emulator {self.emu!r}')
        return self

    def _start_qemu(self):
        rx = [free_port(), free_port()]
        if self.use_relay:
            tx = [free_port(), free_port()]
            self.relay = Relay(list(zip(rx, tx)), self.faults, self.seed,
                               self.forge_key, self.forge_rate,
                               os.path.join(self.dir, 'relay.log'))
            self.relay.start()
        else:
            tx = [rx[1], rx[0]]
        for i, h in enumerate(self.hosts):
            h.start_qemu(self.nic, self.macs[i], rx[i], tx[i], self.cpu,
                         self.nic_rom)

    def _start_bochs(self):
        if self.use_relay:
            rx = [free_port(pair=True), free_port(pair=True)]
            self.relay = Relay([(p, p + 1) for p in rx], self.faults,
                               self.seed, self.forge_key, self.forge_rate,
                               os.path.join(self.dir, 'relay.log'))
            self.relay.start()
            eth = rx
        else:
            base = self._hub_base()
            hublog = open(os.path.join(self.dir, 'bxhub.log'), 'wb')
            self.hub = subprocess.Popen(
                ['bxhub', '-ports=2', f'-base={base}'],
                stdin=subprocess.DEVNULL, stdout=hublog,
                stderr=subprocess.STDOUT, start_new_session=True)
            hublog.close()
            eth = [base, base + 2]
        for i, h in enumerate(self.hosts):
            h.start_bochs(self.macs[i], eth[i])

    @staticmethod
    def _hub_base():
        """Four consecutive free UDP ports (bxhub takes two a host)."""
        for _ in range(100):
            p = free_port()
            if p + 3 > 65535:
                continue
            socks = []
            try:
                for q in range(p, p + 4):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    socks.append(s)
                    s.bind(('127.0.0.1', q))
                return p
            except OSError:
                continue
            finally:
                for s in socks:
                    s.close()
        raise TwinError('no free ports for bxhub')

    def wait_up(self, timeout=60):
        """Both consoles print 'link: up'; returns the session id."""
        ma = self.a.expect(r'link: up: peer \S+ \(backup\), session '
                           r'([0-9a-f]{8})', timeout)
        mb = self.b.expect(r'link: up: peer \S+ \(primary\), session '
                           r'([0-9a-f]{8})', timeout)
        if ma.group(1) != mb.group(1):
            raise TwinError(f'sessions differ: {ma.group(1)} {mb.group(1)}')
        return ma.group(1)

    def stop(self):
        for h in self.hosts:
            h.kill()
        if self.relay:
            self.relay.stop()
        if self.hub and self.hub.poll() is None:
            os.killpg(self.hub.pid, signal.SIGKILL)
            self.hub.wait()
        for h in self.hosts:
            if h.console:
                h.console.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def link_counters(text):
    """Numbers from the monitor's 'link' output: {'bad tag': n, ...}."""
    out = {}
    m = re.search(r'bad frames\s+(\d+)(.*)', text)
    if m:
        out['bad frames'] = int(m.group(1))
        for name, n in re.findall(r', ([a-zA-Z ]+?) (\d+)', m.group(2)):
            out[name] = int(n)
    m = re.search(r'retransmit\s+(\d+) \((\d+) on timeout, (\d+) fast\)',
                  text)
    if m:
        out['retransmit'] = int(m.group(1))
    m = re.search(r'rtt\s+(\d+) us', text)
    if m:
        out['srtt_us'] = int(m.group(1))
    m = re.search(r'state\s+(\w+)', text)
    if m:
        out['state'] = m.group(1)
    return out


def check_linktest(twin, sender, receiver, mib, timeout=300):
    """Run 'linktest mib' on sender; check both consoles agree on the
    digest and the content. Returns (KiB/s, rtt avg us, digest)."""
    out = sender.console.command(f'linktest {mib}', timeout)
    m = re.search(r'rtt min (\d+) us, avg (\d+) us, max (\d+) us', out)
    if not m:
        raise TwinError(f'no rtt line: {out[-400:]!r}')
    rtt = int(m.group(2))
    if mib == 0:
        return 0, rtt, None
    m = re.search(r'linktest: sent (\d+) bytes in (\d+) ms: (\d+) KiB/s, '
                  r'digest ([0-9a-f]{16})', out)
    if not m:
        raise TwinError(f'no throughput line: {out[-400:]!r}')
    total, kibs, digest = int(m.group(1)), int(m.group(3)), m.group(4)
    if total != mib << 20:
        raise TwinError(f'sent {total} bytes, not {mib} MiB')
    if not re.search(rf'peer received {total} bytes, digest {digest}, '
                     r'match', out):
        raise TwinError(f'sender saw no matching confirmation: '
                        f'{out[-400:]!r}')
    receiver.expect(rf'linktest: received {total} of {total} bytes, '
                    rf'digest {digest}, content ok', 30)
    return kibs, rtt, digest


def require_built():
    need = [os.path.join(BUILD, 'tandem.efi'),
            os.path.join(BUILD, 'tools', 'mkgpt'),
            os.path.join(BUILD, 'guests', 'hello.elf')]
    missing = [p for p in need if not os.path.exists(p)]
    if missing:
        raise TwinError(f'not built: {", ".join(missing)} (make image)')


def clean_dir(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
