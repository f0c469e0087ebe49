// Real traffic for the replay proof: small Python servers and a client, run with `ip netns exec`.
// Python because its socket module gives connect timeouts, connected UDP sockets and raw ICMP in a few
// lines; Node would need one child per namespace all the same.

// Serves until stdin closes. argv[1]: {"family": 4|6, "tcp": [{"port": N, "reply": BYTES}], "udp": [N, …]}.
// TCP: read the request (up to a blank line), send `reply` bytes, close (orderly, FIN first).
// UDP: echo every datagram. Prints "ready" once every socket is bound.
export const SERVE_PY = String.raw`
import json, socket, sys, threading
cfg = json.loads(sys.argv[1])
family, anywhere = (socket.AF_INET6, '::') if cfg.get('family') == 6 else (socket.AF_INET, '0.0.0.0')

def http(conn, size):
    with conn:
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        conn.sendall(b'x' * size)
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(4096):
            pass

def tcp_loop(sk, size):
    while True:
        conn, _ = sk.accept()
        threading.Thread(target=http, args=(conn, size), daemon=True).start()

def udp_loop(sk):
    while True:
        data, peer = sk.recvfrom(65535)
        sk.sendto(data, peer)

for t in cfg.get('tcp', []):
    sk = socket.socket(family, socket.SOCK_STREAM)
    sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sk.bind((anywhere, t['port']))
    sk.listen(64)
    threading.Thread(target=tcp_loop, args=(sk, t['reply']), daemon=True).start()
for port in cfg.get('udp', []):
    sk = socket.socket(family, socket.SOCK_DGRAM)
    sk.bind((anywhere, port))
    threading.Thread(target=udp_loop, args=(sk,), daemon=True).start()
print('ready', flush=True)
sys.stdin.read()
`;

// Runs every job of argv[1] (a JSON list) in its own thread and prints one JSON line of results:
// {"NAME": ["ok" | "error text", …]}. Jobs:
//   {"name", "kind": "tcp", "dst", "port", "count", "request", "timeout"}  connect, send, read to EOF, close
//   {"name", "kind": "udp", "dst", "port", "count", "wait"}  connected socket; wait > 0: await an answer
//   {"name", "kind": "ping", "dst", "count", "id"}  ICMP / ICMPv6 echo requests on a raw socket, each awaited
//   {"name", "kind": "stray", "src", "dst", "port", "count", "flags"}  lone TCP segments of no connection
//   {"name", "kind": "multicast", "dev", "join", "groups", "port"}  IPv6: join a group (the kernel sends an
//       MLD report to ff02::16), then one UDP datagram to each group on the link
// An address with a colon is IPv6: the socket's family follows it (ICMPv6 and raw TCP checksums by the kernel).
export const CLIENT_PY = String.raw`
import json, socket, struct, sys, threading, time
jobs = json.loads(sys.argv[1])
results = {}
IPV6_CHECKSUM = getattr(socket, 'IPV6_CHECKSUM', 7)

def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET

def tcp(job):
    out = []
    for i in range(job['count']):
        try:
            with socket.create_connection((job['dst'], job['port']), timeout=job['timeout']) as s:
                s.settimeout(2)
                s.sendall(b'GET /%d HTTP/1.0\r\n' % i + b'h' * job['request'] + b'\r\n\r\n')
                got = 0
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += len(chunk)
                out.append('ok %d' % got)
        except OSError as e:
            out.append('timeout' if isinstance(e, socket.timeout) else (e.strerror or str(e)))
    return out

def udp(job):
    out = []
    with socket.socket(family(job['dst']), socket.SOCK_DGRAM) as s:
        s.connect((job['dst'], job['port']))
        for i in range(job['count']):
            try:
                s.send(('%s %d ' % (job['name'], i)).encode() + b'u' * 40)
                if job['wait'] > 0:
                    s.settimeout(job['wait'])
                    out.append('ok %d' % len(s.recv(65535)))
                else:
                    out.append('sent')
                    time.sleep(0.005)
            except OSError as e:
                out.append('timeout' if isinstance(e, socket.timeout) else (e.strerror or str(e)))
    return out

def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff

def ping(job):
    out = []
    v6 = family(job['dst']) == socket.AF_INET6
    request, answer_type = (128, 129) if v6 else (8, 0)
    with socket.socket(family(job['dst']), socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP) as s:
        s.connect((job['dst'], 0))
        for seq in range(1, job['count'] + 1):
            body = struct.pack('!HH', job['id'], seq) + b'p' * 32
            s.send(struct.pack('!BBH', request, 0, 0 if v6 else checksum(struct.pack('!BBH', 8, 0, 0) + body)) + body)
            deadline = time.monotonic() + 0.5
            answer = 'timeout'
            while time.monotonic() < deadline:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    pkt = s.recv(65535)
                except socket.timeout:
                    break
                icmp = pkt if v6 else pkt[(pkt[0] & 15) * 4:]
                if icmp[0] == answer_type and struct.unpack('!HH', icmp[4:8]) == (job['id'], seq):
                    answer = 'ok'
                    break
            out.append(answer)
    return out

def stray(job):
    out = []
    v6 = family(job['dst']) == socket.AF_INET6
    with socket.socket(family(job['dst']), socket.SOCK_RAW, socket.IPPROTO_TCP) as s:
        if v6:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_CHECKSUM, 16)
        for i in range(job['count']):
            sport = 33000 + i
            head = struct.pack('!HHIIBBHHH', sport, job['port'], 0x7000 + i, 0x9000 + i, 5 << 4, job['flags'], 512, 0, 0)
            if not v6:
                pseudo = socket.inet_aton(job['src']) + socket.inet_aton(job['dst']) + struct.pack('!BBH', 0, 6, len(head))
                head = head[:16] + struct.pack('!H', checksum(pseudo + head)) + head[18:]
            s.sendto(head, (job['dst'], 0))
            out.append('sent')
    return out

def multicast(job):
    ifindex = socket.if_nametoindex(job['dev'])
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, job['join']) + struct.pack('@I', ifindex))
        for group in job['groups']:
            s.sendto(('%s %s ' % (job['name'], group)).encode(), (group, job['port'], 0, ifindex))
    return ['sent']

KINDS = {'tcp': tcp, 'udp': udp, 'ping': ping, 'stray': stray, 'multicast': multicast}

def runner(job):
    results[job['name']] = KINDS[job['kind']](job)

threads = [threading.Thread(target=runner, args=(j,)) for j in jobs]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(results))
`;
