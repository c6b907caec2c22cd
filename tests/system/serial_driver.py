#!/usr/bin/python3
"""serial_driver - talk to an emulator's serial port from a test.

    serial_driver.py [--log RAW] [--cmd-log FILE] [--timeout S]
                     [--char-delay S] DIALOGUE -- COMMAND...

Listens on a free TCP port of 127.0.0.1, runs COMMAND with every "{PORT}"
in its arguments replaced by that port, and waits (--timeout) for the
emulator to connect as a client:

    Bochs  a bochsrc line  com1: enabled=1, mode=socket-client, dev=127.0.0.1:{PORT}
    QEMU   -serial tcp:127.0.0.1:{PORT}

(Listening first and letting the emulator connect avoids guessing a free
port; Bochs's own mode=socket-server blocks in accept() before the machine
starts, which would do too, but needs a fixed port.) Then it plays
DIALOGUE, one step per line ('#' lines and blank lines are ignored):

    expect: TEXT     wait until TEXT (literal) appears in the output after
                     the end of the previous match
    match: REGEX     the same with a Python regular expression
    absent: TEXT     TEXT must not be in the output after the previous match
                     (so far: put a sleep: before it)
    send: TEXT       send TEXT; escapes \\r \\n \\t \\\\ \\xHH (Ctrl-A c is
                     \\x01c). Bytes go one at a time, --char-delay apart.
    sleep: S         wait S seconds, reading output
    timeout: S       hang timeout of the following steps (default --timeout)
    fail: REGEX      from here on, REGEX anywhere in new output fails at once
    exit[: N]        wait for COMMAND to exit (with status N when given)

Output is matched with terminal escapes and CRs removed. Every byte
received goes to --log as is. Each step is traced on stdout with the
seconds since the start; on failure the last line is "error: WHY" and the
exit status 1 (2 for bad usage). When the port closes (the emulator
exited) during a step, the step fails at once. COMMAND runs with stdin
from /dev/null, stdout and stderr to --cmd-log, in a session of its own;
when the dialogue ends before COMMAND exits, every process of that session
is killed.

Also usable as a module: s = Session(cmd, log); s.connect(); s.expect(...);
s.send(...); s.close().
"""
import argparse
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

ANSI = re.compile(rb'\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>cM78]|\r')


class Failure(Exception):
    pass


class Session:
    def __init__(self, cmd, log=None, cmd_log=None, timeout=60.0,
                 char_delay=0.005):
        self.t0 = time.monotonic()
        self.timeout = timeout
        self.char_delay = char_delay
        self.text = ''          # output so far, escapes and CRs removed
        self.pos = 0            # end of the previous match in self.text
        self.pending = b''      # raw tail that may be half an escape
        self.fails = []         # compiled fail: patterns, with start offset
        self.eof = False
        self.log = open(log, 'wb') if log else None
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.bind(('127.0.0.1', 0))
        lsock.listen(1)
        port = str(lsock.getsockname()[1])
        out = open(cmd_log, 'wb') if cmd_log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [a.replace('{PORT}', port) for a in cmd],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.lsock = lsock
        self.sock = None
        self.trace('started: %s' % ' '.join(self.proc.args))

    def connect(self):
        try:
            self.sock = self._accept(self.lsock)
        finally:
            self.lsock.close()
        self.trace('connected')

    def now(self):
        return time.monotonic() - self.t0

    def trace(self, msg):
        print('%7.1f s  %s' % (self.now(), msg), flush=True)

    def _accept(self, lsock):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if select.select([lsock], [], [], 0.2)[0]:
                return lsock.accept()[0]
            if self.proc.poll() is not None:
                raise Failure('command exited (status %d) before connecting'
                              % self.proc.returncode)
        raise Failure('no connection within %g s' % self.timeout)

    def _feed(self, data):
        if self.log:
            self.log.write(data)
            self.log.flush()
        raw = self.pending + data
        # keep an escape sequence that may still be incomplete for later
        esc = raw.rfind(b'\x1b')
        if esc >= 0 and len(raw) - esc < 16 and not self.eof:
            raw, self.pending = raw[:esc], raw[esc:]
        else:
            self.pending = b''
        new = ANSI.sub(b'', raw).decode('latin-1')
        start = max(len(self.text) - 200, 0)   # a match may straddle reads
        self.text += new
        for pat, since in self.fails:
            m = pat.search(self.text, max(start, since))
            if m:
                raise Failure('output matched fail pattern %r: %r'
                              % (pat.pattern, m.group(0)))

    def poll(self, wait):
        """Read what arrives within wait seconds. False at EOF."""
        if self.eof:
            time.sleep(wait)
            return False
        if select.select([self.sock], [], [], wait)[0]:
            try:
                data = self.sock.recv(65536)
            except ConnectionError:
                data = b''
            if not data:
                self.eof = True
                self._feed(b'')
                return False
            self._feed(data)
        return True

    def _gone(self, what):
        rc = self.proc.poll()
        if rc is None:
            # the emulator closed the port without exiting yet: give it
            # a moment so that the report can show its status
            try:
                rc = self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        state = 'still running' if rc is None else 'status %d' % rc
        if rc == 124:
            state += ', its own timeout'
        return Failure('serial port closed (command %s) while waiting for %s'
                       % (state, what))

    def wait_for(self, what, find, timeout=None):
        """Poll until find(text, pos) returns a match end, or time out."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            end = find(self.text, self.pos)
            if end is not None:
                self.pos = end
                self.trace('found %s' % what)
                return
            if self.eof:
                raise self._gone(what)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('hang: no %s within %g s'
                              % (what, timeout or self.timeout))
            self.poll(min(left, 0.5))

    def expect(self, text, timeout=None):
        def find(buf, pos):
            i = buf.find(text, pos)
            return None if i < 0 else i + len(text)
        self.wait_for(repr(text), find, timeout)

    def match(self, regex, timeout=None):
        pat = re.compile(regex)

        def find(buf, pos):
            m = pat.search(buf, pos)
            return m.end() if m else None
        self.wait_for('/%s/' % regex, find, timeout)

    def absent(self, text):
        self.poll(0)
        if text in self.text[self.pos:]:
            raise Failure('%r appeared' % text)
        self.trace('absent %r' % text)

    def fail_on(self, regex):
        self.fails.append((re.compile(regex), len(self.text)))

    def send(self, data):
        self.trace('send %r' % data)
        for i in range(len(data)):
            try:
                self.sock.sendall(data[i:i + 1])
            except OSError:
                raise self._gone('sending %r' % data)
            self.poll(self.char_delay)

    def sleep(self, secs):
        deadline = time.monotonic() + secs
        while (left := deadline - time.monotonic()) > 0:
            self.poll(min(left, 0.5))

    def wait_exit(self, status=None, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise Failure('hang: command still running after %g s'
                              % (timeout or self.timeout))
            self.poll(0.2)
        while self.poll(0.1):      # the last bytes
            pass
        rc = self.proc.returncode
        self.trace('command exited with status %d' % rc)
        if status is not None and rc != status:
            raise Failure('command exited with status %d, expected %d'
                          % (rc, status))

    def session_pids(self):
        """Processes of COMMAND's session. timeout(1) moves itself and the
        emulator into a process group of their own, so killing COMMAND's
        group would miss them; they stay in its session."""
        pids = []
        for d in os.listdir('/proc'):
            if d.isdigit():
                try:
                    with open('/proc/%s/stat' % d) as f:
                        stat = f.read()
                except OSError:
                    continue
                # fields after "(comm)": state ppid pgrp session ...
                if int(stat.rsplit(')', 1)[1].split()[3]) == self.proc.pid:
                    pids.append(int(d))
        return pids

    def close(self):
        if self.proc.poll() is None or self.session_pids():
            self.trace('killing the command')
            for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                for pid in self.session_pids():
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
                deadline = time.monotonic() + grace
                while time.monotonic() < deadline:
                    if self.proc.poll() is not None and \
                            not self.session_pids():
                        break
                    time.sleep(0.1)
                else:
                    continue
                break
        if self.sock:
            self.sock.close()
        if self.log:
            self.log.close()


def unescape(s):
    return s.encode('latin-1').decode('unicode_escape').encode('latin-1')


def play(sess, lines):
    timeout = None
    for n, line in enumerate(lines, 1):
        line = line.rstrip('\r\n')
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        key, sep, val = line.partition(':')
        key = key.strip()
        val = val[1:] if val.startswith(' ') else val
        if key == 'expect':
            sess.expect(val, timeout)
        elif key == 'match':
            sess.match(val, timeout)
        elif key == 'absent':
            sess.absent(val)
        elif key == 'send':
            sess.send(unescape(val))
        elif key == 'sleep':
            sess.sleep(float(val))
        elif key == 'timeout':
            timeout = float(val)
        elif key == 'fail':
            sess.fail_on(val)
        elif key == 'exit':
            sess.wait_exit(int(val) if val.strip() else None, timeout)
        else:
            raise ValueError('line %d: unknown step %r' % (n, key))


def main():
    ap = argparse.ArgumentParser(
        description='Drive an emulator serial port through a dialogue file.')
    ap.add_argument('--log', help='write the raw serial output here')
    ap.add_argument('--cmd-log', help="the command's stdout and stderr")
    ap.add_argument('--timeout', type=float, default=60,
                    help='default hang timeout of each step (60 s)')
    ap.add_argument('--char-delay', type=float, default=0.005,
                    help='seconds between sent bytes (0.005)')
    ap.add_argument('dialogue')
    # split by hand: argparse would drop a '--' inside COMMAND
    argv = sys.argv[1:]
    if '--' not in argv or argv.index('--') == len(argv) - 1:
        ap.error('no COMMAND after --')
    cut = argv.index('--')
    args = ap.parse_args(argv[:cut])
    args.command = argv[cut + 1:]
    try:
        with open(args.dialogue) as f:
            lines = f.readlines()
    except OSError as e:
        print('error: %s' % e)
        return 2
    sess = None
    try:
        sess = Session(args.command, args.log, args.cmd_log, args.timeout,
                       args.char_delay)
        sess.connect()
        play(sess, lines)
        sess.trace('dialogue done')
        return 0
    except ValueError as e:
        print('error: %s: %s' % (args.dialogue, e))
        return 2
    except Failure as e:
        print('error: %s' % e)
        return 1
    finally:
        if sess:
            sess.close()


if __name__ == '__main__':
    sys.exit(main())
