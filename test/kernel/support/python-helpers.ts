// The Python helper the kernel harness runs while a packet is injected (Node has no netlink or
// AF_PACKET sockets). One process, started in the root namespace, enters our namespaces with setns(2)
// only to open sockets there (a socket stays in the namespace it was created in):
//   - a NETLINK_NETFILTER socket joined to NFNLGRP_NFTRACE in the traced (host) namespace: every
//     nf_tables trace event, raw, including the ones `nft monitor trace` / `xtables-monitor --trace`
//     do not print (a rule event without a handle = the end of a chain);
//   - AF_PACKET sniffers (incoming IPv4/IPv6 frames; ARP, IGMP, MLD and ND are dropped as noise);
//   - optional TCP listeners / UDP sockets so an accepted packet does not draw a kernel RST / ICMP
//     port-unreachable that would look like a REJECT.
// Protocol: argv[1] is a JSON config; it prints JSON lines: {"kind":"ready"} once every socket is
// open, then trace / frame / udp events as they come. After a line "GO" (or EOF) on stdin it keeps
// reading until nothing arrived for idleMs (but at least minMs), at most maxMs, then prints
// {"kind":"done"} and exits.

export const OBSERVER_PY = String.raw`
import ctypes, json, os, select, socket, struct, sys, time

cfg = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000

def enter(ns):
    fd = os.open('/run/netns/' + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, 'setns %s: %s' % (ns, os.strerror(e)))
    finally:
        os.close(fd)

def emit(o):
    sys.stdout.write(json.dumps(o) + '\n')
    sys.stdout.flush()

T0 = time.monotonic()
def ms():
    return round((time.monotonic() - T0) * 1000, 3)

def attrs(b):
    out = {}
    i = 0
    while i + 4 <= len(b):
        ln, ty = struct.unpack_from('=HH', b, i)
        if ln < 4:
            break
        out[ty & 0x3fff] = b[i + 4:i + ln]
        i += (ln + 3) & ~3
    return out

def cstr(b):
    return b.split(b'\0', 1)[0].decode('utf-8', 'replace')

TYPES = {1: 'policy', 2: 'return', 3: 'rule'}

def trace_event(fam, a):
    ev = {'kind': 'trace', 't': ms(), 'family': fam}
    if 1 in a: ev['table'] = cstr(a[1])
    if 2 in a: ev['chain'] = cstr(a[2])
    if 3 in a: ev['handle'] = struct.unpack('>Q', a[3])[0]
    if 4 in a:
        ty = struct.unpack('>I', a[4])[0]
        ev['type'] = TYPES.get(ty, str(ty))
    if 5 in a:
        v = attrs(a[5])
        if 1 in v: ev['verdict'] = struct.unpack('>i', v[1])[0]
        if 2 in v: ev['jumpChain'] = cstr(v[2])
    if 6 in a: ev['id'] = '%08x' % struct.unpack('>I', a[6])[0]
    if 7 in a: ev['ll'] = a[7].hex()
    if 8 in a: ev['nh'] = a[8].hex()
    if 9 in a: ev['th'] = a[9].hex()
    if 10 in a: ev['iif'] = struct.unpack('>I', a[10])[0]
    if 12 in a: ev['oif'] = struct.unpack('>I', a[12])[0]
    if 14 in a: ev['mark'] = struct.unpack('>I', a[14])[0]
    if 15 in a: ev['nfproto'] = struct.unpack('>I', a[15])[0]
    if 16 in a: ev['policy'] = struct.unpack('>I', a[16])[0]
    if 19 in a: ev['ctDirection'] = a[19][0]
    if 21 in a: ev['ctState'] = struct.unpack('>I', a[21])[0]
    return ev

def noise(frame):
    if len(frame) < 14:
        return True
    et = (frame[12] << 8) | frame[13]
    if et == 0x0800:
        return len(frame) < 34 or frame[23] == 2          # IGMP
    if et == 0x86dd:
        if len(frame) < 55:
            return True
        nh = frame[20]
        if nh == 0:                                      # hop-by-hop (MLD reports)
            return True
        return nh == 58 and 130 <= frame[54] <= 143      # MLD, RS, RA, NS, NA, redirect
    return True                                          # ARP and the rest

socks = {}
try:
    enter(cfg['traceNs'])
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)   # NETLINK_NETFILTER
    nl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    nl.bind((0, 0))
    nl.setsockopt(270, 1, 9)                                      # SOL_NETLINK, ADD_MEMBERSHIP, NFNLGRP_NFTRACE
    socks[nl.fileno()] = ('nl', None, nl)
    for s in cfg.get('sniff', []):
        enter(s['ns'])
        sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        if s.get('ifname'):
            sk.bind((s['ifname'], 0))
        socks[sk.fileno()] = ('sniff', s, sk)
    for l in cfg.get('listen', []):
        enter(l['ns'])
        st = socket.SOCK_STREAM if l['proto'] == 'tcp' else socket.SOCK_DGRAM
        try:
            sk = socket.socket(socket.AF_INET6, st)
            sk.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sk.bind(('::', l['port']))
        except OSError:
            sk = socket.socket(socket.AF_INET, st)
            sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sk.bind(('0.0.0.0', l['port']))
        if l['proto'] == 'tcp':
            sk.listen(16)
        sk.setblocking(False)
        socks[sk.fileno()] = ('listen', l, sk)
except Exception as e:
    emit({'kind': 'error', 'message': str(e)})
    sys.exit(2)

emit({'kind': 'ready', 't': ms()})
idle = cfg.get('idleMs', 120) / 1000.0
mn = cfg.get('minMs', 150) / 1000.0
mx = cfg.get('maxMs', 1500) / 1000.0
hard = cfg.get('hardMs', 20000) / 1000.0
go = None
last = None
watch_stdin = True
while True:
    now = time.monotonic()
    if go is not None:
        if now - go >= mx or (now - go >= mn and now - last >= idle):
            break
    if now - T0 >= hard:
        emit({'kind': 'error', 'message': 'observer hard timeout'})
        break
    fds = list(socks.keys()) + ([0] if watch_stdin else [])
    r, _, _ = select.select(fds, [], [], 0.01)
    for fd in r:
        if fd == 0:
            line = os.read(0, 4096)
            if not line or b'GO' in line:
                go = last = time.monotonic()
                emit({'kind': 'go', 't': ms()})
                watch_stdin = False
            continue
        kind, meta, sk = socks[fd]
        if kind == 'nl':
            try:
                data = sk.recv(1 << 16)
            except OSError as e:
                emit({'kind': 'error', 'message': 'netlink: ' + str(e)})
                continue
            i = 0
            while i + 16 <= len(data):
                ln, ty, fl, seq, pid = struct.unpack_from('=IHHII', data, i)
                if ln < 16:
                    break
                msg = data[i + 16:i + ln]
                i += (ln + 3) & ~3
                if ty != ((10 << 8) | 17):                        # NFNL_SUBSYS_NFTABLES, NFT_MSG_TRACE
                    continue
                emit(trace_event(msg[0], attrs(msg[4:])))
                last = time.monotonic()
        elif kind == 'sniff':
            data, addr = sk.recvfrom(1 << 16)
            pkttype = addr[2]
            if pkttype == 4 or noise(data):                      # PACKET_OUTGOING
                continue
            emit({'kind': 'frame', 't': ms(), 'label': meta['label'], 'ns': meta['ns'], 'ifname': addr[0],
                  'pkttype': pkttype, 'hex': data[:256].hex(), 'len': len(data)})
            last = time.monotonic()
        elif kind == 'listen':
            if meta['proto'] == 'udp':
                try:
                    data, peer = sk.recvfrom(1 << 16)
                    emit({'kind': 'udp', 't': ms(), 'ns': meta['ns'], 'port': meta['port'], 'from': peer[0],
                          'fromPort': peer[1], 'len': len(data)})
                    last = time.monotonic()
                except BlockingIOError:
                    pass
            else:
                try:
                    c, peer = sk.accept()
                    emit({'kind': 'accept', 't': ms(), 'ns': meta['ns'], 'port': meta['port'], 'from': peer[0]})
                    c.close()
                    last = time.monotonic()
                except BlockingIOError:
                    pass
emit({'kind': 'done', 't': ms()})
`;

// Sends one IP packet (hex, header included) from the namespace it runs in: raw socket with
// IPPROTO_RAW, which implies IP_HDRINCL (IPv4) / a user-supplied header (IPv6). The kernel keeps a
// non-zero IPv4 id and the IPv6 flow label as given. argv: HEX FAMILY DST. Prints {"ok":true} or
// {"ok":false,"errno":N,"error":"…"} (an OUTPUT drop shows as EPERM).
export const SENDER_PY = String.raw`
import json, socket, sys
pkt = bytes.fromhex(sys.argv[1])
fam = socket.AF_INET if sys.argv[2] == '4' else socket.AF_INET6
s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
try:
    s.sendto(pkt, (sys.argv[3], 0))
    print(json.dumps({'ok': True}))
except OSError as e:
    print(json.dumps({'ok': False, 'errno': e.errno, 'error': e.strerror}))
`;
