/** node0 of the handout's Calico lab, and the same node with each of the handout's iptables exercises. */
export const DEMO_NAMES = ['node0', 'reject-ip', 'reject-mac', 'http-only', 'no-ping'] as const;
