#!/usr/bin/env bash
# Builds the handout's Calico node (node0) for real in network namespaces and records it with
# `netsleuth snapshot --netns` (the real collector), one snapshot file per variant in lab/. Run as root,
# after building (npx tsc -p tsconfig.json):
#   bash source/host/demo/build-lab.sh
# Namespaces: ns-node0 (the host under study), ns-lan (node1 172.16.6.24, node2 172.16.6.8, the gateway),
# ns-w100 (workload 192.0.2.100 behind a cali veth), ns-c1/ns-c2 (docker containers on docker0).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
p=nsdemo-$$
node=$p-node0 lan=$p-lan w100=$p-w100 c1=$p-c1 c2=$p-c2
cleanup() { for ns in $node $lan $w100 $c1 $c2; do ip netns del "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT
for ns in $node $lan $w100 $c1 $c2; do ip netns add "$ns"; done
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

nsx $node ip link set lo up
# ens32: the node's uplink to the lab LAN.
ip link add ens32 netns $node address 02:00:0d:4c:00:01 type veth peer name eth0 netns $lan address 02:00:0d:4c:00:03
nsx $node ip addr add 172.16.6.251/24 dev ens32
nsx $node ip link set ens32 up
nsx $lan ip link set lo up
nsx $lan ip addr add 172.16.6.24/24 dev eth0
nsx $lan ip addr add 172.16.6.8/24 dev eth0
nsx $lan ip addr add 172.16.6.1/24 dev eth0
nsx $lan ip link set eth0 up
nsx $node ip route add default via 172.16.6.1 dev ens32
# Calico workload 192.0.2.100 behind calic1364fb7922 (host side) — eth0 in the workload.
ip link add calic1364fb7922 netns $node address ee:ee:ee:ee:ee:ee type veth peer name eth0 netns $w100
nsx $node ip link set calic1364fb7922 up
nsx $w100 ip link set lo up
nsx $w100 ip addr add 192.0.2.100/32 dev eth0
nsx $w100 ip link set eth0 up
nsx $w100 ip route add 169.254.1.1 dev eth0 scope link
nsx $w100 ip route add default via 169.254.1.1 dev eth0
nsx $node ip route add 192.0.2.100 dev calic1364fb7922 scope link
# Routes BIRD learns from the other nodes, and this node's own block.
nsx $node ip route add blackhole 192.0.2.64/26 proto bird
nsx $node ip route add 192.0.2.101 via 172.16.6.24 dev ens32 proto bird
nsx $node ip route add 192.0.2.102 via 172.16.6.8 dev ens32 proto bird
# docker0 with two containers.
nsx $node ip link add docker0 type bridge
nsx $node ip addr add 172.17.0.1/16 dev docker0
nsx $node ip link set docker0 up
n=1
for c in $c1 $c2; do
	ip link add veth$n netns $node type veth peer name eth0 netns $c
	nsx $node ip link set veth$n master docker0 up
	nsx $c ip link set lo up
	nsx $c ip addr add 172.17.0.$((n + 1))/16 dev eth0
	nsx $c ip link set eth0 up
	nsx $c ip route add default via 172.17.0.1
	n=$((n + 1))
done
# A tap (a VM's NIC) and a vxlan overlay (what Weave/Flannel would use instead of Calico's routing).
nsx $node ip tuntap add dev tap0 mode tap
nsx $node ip link set tap0 up
nsx $node ip link add vxlan42 type vxlan id 42 local 172.16.6.251 dstport 4789 dev ens32
nsx $node ip addr add 10.42.0.251/24 dev vxlan42
nsx $node ip link set vxlan42 up
nsx $node sysctl -qw net.ipv4.ip_forward=1

base_rules() {
	cat <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A FORWARD -i cali+ -j ACCEPT
-A FORWARD -o cali+ -j ACCEPT
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
RULES
}

variant_rules() {
	case $1 in
		node0) ;;
		reject-ip) echo '-A INPUT -s 10.2.67.113 -j REJECT' ;;
		reject-mac) echo '-A INPUT -m mac --mac-source 02:00:0d:4c:00:03 -j REJECT' ;;
		http-only) echo '-A INPUT -p tcp --dport 80 -j ACCEPT'; echo '-P INPUT DROP' ;;
		no-ping) echo '-A INPUT -p icmp --icmp-type 8 -s 172.16.6.24 -j REJECT' ;;
	esac
}

repo=$(cd "$here/../../.." && pwd)
[ -f "$repo/dist/source/cli.js" ] || { echo "build first: npx tsc -p tsconfig.json" >&2; exit 1; }
for variant in node0 reject-ip reject-mac http-only no-ping; do
	{ base_rules; variant_rules $variant; echo COMMIT; } | nsx $node iptables-restore
	# The real collector, as a user would run it: every raw output in one snapshot file.
	node "$repo/bin/netsleuth.js" snapshot --netns "$node" -o "$here/lab/$variant.json"
	# The lab is node0 whatever namespace it was built in: name it so, and say which exercise it is.
	python3 - "$here/lab/$variant.json" "$variant" "$node" <<'PY'
import json, sys
path, variant, ns = sys.argv[1:4]
doc = json.load(open(path))
doc["hostname"] = "node0"
doc["label"] = "node0"
doc["variant"] = variant
doc.pop("netns", None)
doc["commands"] = {k: [("NODE0" if w == ns else w) for w in v] for k, v in doc["commands"].items()}
open(path, "w").write(json.dumps(doc, indent=1) + "\n")
PY
	chmod 644 "$here/lab/$variant.json" # snapshots are written private (0600); the lab ships with the package
	echo "wrote lab/$variant.json"
done
