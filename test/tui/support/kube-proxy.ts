/**
 * A kube-proxy (iptables mode) nat table with N ClusterIP services of three endpoints each: 11 rules a
 * service, so 10,000 services make the ~110,000-rule ruleset the TUI's speed target names.
 */
export function kubeProxyRules(services: number): string {
	const chains: string[] = [':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
		':KUBE-SERVICES - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-MARK-MASQ - [0:0]'];
	const rules: string[] = [
		'-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
		'-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
		'-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
		'-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
		'-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
		'-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
		'-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
	];
	const hex = (n: number) => n.toString(16).toUpperCase().padStart(16, '0');
	for (let i = 0; i < services; i++) {
		const ip = `10.96.${(i >> 8) & 255}.${i & 255}`;
		const name = `ns${i % 50}/svc-${i}:http`;
		const svc = `KUBE-SVC-${hex(i * 7919 + 1)}`;
		chains.push(`:${svc} - [0:0]`);
		rules.push(`-A KUBE-SERVICES -d ${ip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j ${svc}`);
		rules.push(`-A ${svc} ! -s 10.244.0.0/16 -d ${ip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`);
		const probabilities = ['0.33333333349', '0.50000000000'];
		for (let j = 0; j < 3; j++) {
			const sep = `KUBE-SEP-${hex(i * 104729 + j + 7)}`;
			const pod = `10.244.${(i * 3 + j) >> 8 & 255}.${(i * 3 + j) & 255}`;
			chains.push(`:${sep} - [0:0]`);
			rules.push(`-A ${svc} -m comment --comment "${name} -> ${pod}:8080"${j < 2 ? ` -m statistic --mode random --probability ${probabilities[j]}` : ''} -j ${sep}`);
			rules.push(`-A ${sep} -s ${pod}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
			rules.push(`-A ${sep} -p tcp -m comment --comment "${name}" -m tcp -j DNAT --to-destination ${pod}:8080`);
		}
	}
	return ['*nat', ...chains, ...rules, 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT', ''].join('\n');
}
