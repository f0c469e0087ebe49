import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { LinkModel } from '../links/model.js';
import { countRules } from '../netfilter/ruleset.js';
import { formatIp } from '../packet/address.js';
import { lookupRoute } from '../routing/lookup.js';
import { Replayer } from '../capture/replay.js';
import type { HostModel } from '../trace/pipeline.js';
import { safeText } from '../views/safe-text.js';
import type { CaptureFile } from './capture/capture-file.js';
import { captureHeads, captureRows, detailRows, traceCapturedPacket } from './capture/capture-rows.js';
import { EditLine, Footer, Header, HelpOverlay, helpLines, type HostSummary } from './components/Frame.js';
import { ListView } from './components/ListView.js';
import { linksRows } from './data/links-rows.js';
import { buildRulesTable, rulesSource, traceMarks } from './data/rules-rows.js';
import { chosenByDecision, chosenByTrace, decisionLine, routesRows } from './data/routes-rows.js';
import { traceRows } from './data/trace-rows.js';
import { checkExpression, checkRouteQuery, traceExpression } from './expression.js';
import { checkForm, FORM_FIELDS } from './form.js';
import { type KeyPress, type SpecialKey, VIEWS, type ViewId } from './keys.js';
import { bodyHeight, captureSplit, headerHeight, listHeight, listWidth, MIN_SIZE, type Size, tooSmall, VIEW_PREAMBLE } from './layout.js';
import { windowTop } from './list.js';
import { arraySource, EMPTY_SOURCE, type Row, type RowSource } from './rows.js';
import { type FrameEnv, type InitialOptions, initialState, keyContext, reduce, type ViewEnv } from './state.js';
import { ThemeContext } from './theme.js';
import { CaptureView, loadPercent } from './views/CaptureView.js';
import { RoutesView } from './views/RoutesView.js';
import { RulesView } from './views/RulesView.js';
import { TraceView } from './views/TraceView.js';

/** What the TUI shows about a host: the engine's model, where it came from, and what was wrong reading it. */
export interface TuiHost {
	readonly model: HostModel;
	readonly label: string;
	readonly warnings: readonly string[];
	readonly links?: LinkModel;
	/** Why there is no links model ("no interfaces were read"). */
	readonly linksProblem?: string;
}

export interface AppProps {
	readonly host: TuiHost;
	readonly colour: boolean;
	readonly initial?: InitialOptions;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	readonly size?: Size;
	/** Called on every key press before it is handled (timing: key → next frame). */
	readonly onKey?: () => void;
	/** The capture of `--pcap FILE` (loading in the background). */
	readonly capture?: CaptureFile;
}

/** ink's key event → the key table's KeyPress. */
export function toPress(input: string, key: Key): KeyPress {
	const special: SpecialKey | undefined = key.upArrow ? 'up' : key.downArrow ? 'down' : key.leftArrow ? 'left' : key.rightArrow ? 'right'
		: key.pageUp ? 'pageUp' : key.pageDown ? 'pageDown' : key.home ? 'home' : key.end ? 'end' : key.return ? 'return'
		: key.escape ? 'escape' : key.tab ? 'tab' : key.backspace ? 'backspace' : key.delete ? 'delete' : undefined;
	return { input, ...(special ? { key: special } : {}), ctrl: key.ctrl, shift: key.shift, meta: key.meta };
}

function useTerminalSize(fixed: Size | undefined): Size {
	const { stdout } = useStdout();
	const read = (): Size => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed) return;
		const onResize = () => setSize(read());
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixed]);
	return fixed ?? size;
}

function introRows(model: HostModel): RowSource {
	const rows: Row[] = [
		{ text: 'Describe a packet on the line above and press Enter:', tone: 'heading' },
		{ text: '  tcp SRC:SPORT > DST:DPORT in IF                 arriving on interface IF', tone: 'normal' },
		{ text: '  udp SRC:SPORT > DST:DPORT local                 sent by this host', tone: 'normal' },
		{ text: '  icmp SRC > DST in IF type echo-request', tone: 'normal' },
		{ text: '  … out IF · mark N · state NEW|ESTABLISHED|RELATED|INVALID · flags SYN,ACK · mac M', tone: 'dim' },
	];
	if (model.facts.addresses.length) {
		rows.push({ text: "This host's addresses:", tone: 'heading' });
		for (const a of model.facts.addresses) rows.push({ text: safeText(`  ${formatIp(a.ip)}/${a.prefix} on ${a.dev}`), tone: 'accent' });
	}
	return arraySource(rows);
}

const NO_CAPTURE = arraySource([
	{ text: 'No capture: start netsleuth with --pcap FILE (pcap or pcapng) to list its packets here,', tone: 'heading' },
	{ text: 'filter them (f), see each one\'s layers and bytes, and trace one (t) on this host.', tone: 'dim' },
	{ text: 'In the shell: netsleuth pcap FILE [--filter EXPR] [--json] lists a capture.', tone: 'dim' },
]);

const noStore = () => () => undefined;
const noVersion = () => 0;

export function App({ host, colour, initial, size: fixed, onKey, capture }: AppProps) {
	const { exit } = useApp();
	const size = useTerminalSize(fixed);
	const [state, dispatch] = useReducer(reduce, initial, initialState);
	const model = host.model;

	// Everything big is derived here, once per host or per trace; React state holds only positions and text.
	const rulesTable = useMemo(() => buildRulesTable(model), [model]);
	const captureVersion = useSyncExternalStore(capture?.subscribe ?? noStore, capture?.getVersion ?? noVersion);
	useEffect(() => {
		if (capture && capture.filterText !== state.filter) capture.setFilter(state.filter);
	}, [capture, state.filter]);
	useEffect(() => {
		if (capture && state.replays > 0) capture.replay(new Replayer(model));
	}, [capture, model, state.replays]);
	const outcome = useMemo(() => {
		if (state.traced === null) return undefined;
		if (capture && state.capturePacket !== null && state.traced === state.expression) return traceCapturedPacket(model, capture, state.capturePacket);
		return traceExpression(model, state.traced);
	}, [model, state.traced, state.capturePacket, state.expression, capture]);
	const trace = outcome && 'trace' in outcome ? outcome.trace : undefined;
	const intro = useMemo(() => introRows(model), [model]);
	const traceSource = useMemo(() => (trace ? traceRows(trace, state.unfolded) : intro), [trace, state.unfolded, intro]);
	const marks = useMemo(() => traceMarks(trace), [trace]);
	const rulesRows = useMemo(() => rulesSource(rulesTable, marks), [rulesTable, marks]);
	const routeCheck = useMemo(() => checkRouteQuery(state.edit?.target === 'route' ? state.edit.text : state.routeText), [state.edit, state.routeText]);
	const decision = useMemo(() => {
		if (state.routeQuery === null || !model.routing) return undefined;
		const check = checkRouteQuery(state.routeQuery);
		return check.ok ? { decision: lookupRoute(model.routing, check.query), family: check.query.family } : undefined;
	}, [model, state.routeQuery]);
	const chosen = useMemo(() => (decision ? chosenByDecision(decision.decision, decision.family) : chosenByTrace(trace)), [decision, trace]);
	const routesSource = useMemo(() => routesRows(model.routing, chosen), [model, chosen]);
	const linksSource = useMemo(() => linksRows(host.links, host.linksProblem), [host]);
	const interfaces = useMemo(() => new Set([...(host.links?.links.map((l) => l.name) ?? []), ...model.facts.addresses.map((a) => a.dev)]), [host, model]);
	const lineText = state.edit?.target === 'expression' ? state.edit.text : state.expression;
	const formValues = useMemo(() => (state.edit?.target === 'form' ? { ...state.form, [FORM_FIELDS[state.formField]!]: state.edit.text } : state.form), [state.form, state.edit, state.formField]);
	const formCheck = useMemo(() => (state.formMode ? checkForm(formValues, interfaces) : undefined), [state.formMode, formValues, interfaces]);
	const lineCheck = useMemo(() => checkExpression(lineText, interfaces), [lineText, interfaces]);
	const check = formCheck?.check ?? lineCheck;

	// The capture's rows and the selected packet's detail are made again when its version moves: the file
	// changes inside (loading, filtering, replaying) while the object stays the same.
	const captureSource = useMemo(() => (capture ? captureRows(capture) : NO_CAPTURE), [capture, captureVersion]);
	const captureCursor = Math.min(state.lists.capture.cursor, Math.max(0, captureSource.count - 1));
	const selectedPacket = capture && captureSource.count ? capture.packetAt(captureCursor) : undefined;
	const detailSource = useMemo(() => (capture && selectedPacket !== undefined ? detailRows(capture.decoded(selectedPacket), capture.answer(selectedPacket), listWidth(size)) : EMPTY_SOURCE), [capture, selectedPacket, size, captureVersion]);

	const summary: HostSummary = useMemo(() => {
		const rules = (model.rules4 ? countRules(model.rules4) : 0) + (model.rules6 ? countRules(model.rules6) : 0);
		const counts = [`${rules} rules`, `${model.routing?.routes.length ?? 0} routes`, `${host.links?.links.length ?? new Set(model.facts.addresses.map((a) => a.dev)).size} interfaces`];
		// While it loads the header has room for the progress only (the count is on the Capture view's filter line).
		if (capture) counts.push(capture.load.done ? `${capture.count.toLocaleString('en-US')} packets` : `capture ${loadPercent(capture.load, capture.size)} read`);
		return { name: model.name, label: host.label, counts, warnings: host.warnings };
	}, [host, model, capture, captureVersion]);

	const sources: Record<ViewId, RowSource> = { trace: traceSource, rules: rulesRows, routes: routesSource, links: linksSource, capture: captureSource };
	const warnings = host.warnings.length;
	const width = listWidth(size);
	const layout = { form: state.formMode, detailOpen: state.detailOpen };
	const views = Object.fromEntries(VIEWS.map((v) => [v, { source: sources[v], height: listHeight(v, size, warnings, layout), width } satisfies ViewEnv])) as Record<ViewId, ViewEnv>;
	const help = useMemo(() => helpLines(host.warnings), [host]);
	const body = bodyHeight(size, warnings);
	const split = captureSplit(body - VIEW_PREAMBLE.capture, state.detailOpen);
	const env: FrameEnv = { views, helpLines: help.length, helpHeight: body, detail: { lines: detailSource.count, height: split.detail } };

	// The key handler reads what the views show now, not what they showed when it was subscribed.
	const envRef = useRef(env);
	envRef.current = env;
	useInput((input, key) => {
		onKey?.();
		// The capture's background passes wait for this key's frame (released by the effect below).
		capture?.hold.hold();
		dispatch({ type: 'key', press: toPress(input, key), env: envRef.current });
	});
	useEffect(() => {
		if (state.quit) exit();
	}, [state.quit, exit]);
	useEffect(() => capture?.hold.release());

	const theme = useMemo(() => ({ colour }), [colour]);
	if (tooSmall(size)) {
		return <Text>{`netsleuth needs at least ${MIN_SIZE.columns}×${MIN_SIZE.rows}; this terminal is ${size.columns}×${size.rows}. q quits.`}</Text>;
	}

	const context = keyContext(state);
	const query = state.search;
	const list = state.lists[state.view];
	const view = views[state.view];
	let content: React.ReactNode;
	if (state.help) {
		content = <HelpOverlay lines={help} top={state.helpTop} height={body} />;
	} else {
		switch (state.view) {
			case 'trace':
				content = (
					<TraceView expression={state.expression} edit={state.edit} traced={state.traced} check={check} outcome={outcome} source={traceSource} list={list} height={view.height} width={size.columns} query={query}
						{...(state.formMode ? { form: { values: formValues, field: state.formField, ...(formCheck?.field ? { errorField: formCheck.field } : {}) } } : {})}
						{...(capture && state.capturePacket !== null ? { captured: `packet ${state.capturePacket} of ${capture.name}` } : {})} />
				);
				break;
			case 'rules':
				content = <RulesView table={rulesTable} source={rulesRows} list={list} back={state.back} traced={trace ? state.traced : null} height={view.height} width={size.columns} query={query} />;
				break;
			case 'routes': {
				const answer = decision
					? { text: decisionLine(decision.decision), tone: decision.decision.error || decision.decision.type !== 'unicast' && decision.decision.type !== 'local' ? 'bad' as const : 'good' as const }
					: chosen ? { text: `▶ marks the rule and route the trace chose: ${chosen.type} ${chosen.dst ?? ''} ${chosen.dev ? `dev ${chosen.dev}` : ''}`.trimEnd(), tone: 'dim' as const }
					: { text: 'Trace a packet (1) or look a destination up (r) to mark the route chosen.', tone: 'dim' as const };
				content = <RoutesView edit={state.edit} routeText={state.routeText} check={routeCheck} answer={answer} source={routesSource} list={list} height={view.height} width={size.columns} query={query} />;
				break;
			}
			case 'capture':
				// Without a capture the view says how to get one.
				content = capture
					? (
						<CaptureView file={capture} edit={state.edit} filterText={state.filterText} filter={state.filter} heads={captureHeads(capture, capture.replayPass !== null)} source={captureSource}
							list={list} listHeight={view.height} detail={detailSource} detailHeight={split.detail} detailOpen={state.detailOpen} detailTop={state.detailTop} width={size.columns} />
					)
					: <ListView source={view.source} list={list} height={view.height} width={size.columns - 2} query={query} focused={!state.edit} />;
				break;
			default:
				content = <ListView source={view.source} list={list} height={view.height} width={size.columns - 2} query={query} focused={!state.edit} />;
		}
	}

	let status: React.ReactNode;
	if (state.edit?.target === 'search') {
		status = <EditLine prefix="/" text={state.edit.text} cursor={state.edit.cursor} width={size.columns} focused />;
	} else {
		const count = view.source.count;
		const top = windowTop(list, count, view.height);
		const position = state.help ? `help ${state.helpTop + 1}/${help.length}` : count ? `line ${list.cursor + 1}/${count}${top + view.height < count ? ' ↓' : ''}${list.left ? `  ← ${list.left}` : ''}` : '';
		status = <Text dimColor wrap="truncate-end">{`${position}${query ? `   search "${safeText(query)}" (n/N)` : ''}`}</Text>;
	}

	return (
		<ThemeContext.Provider value={theme}>
			<Box flexDirection="column" width={size.columns} height={size.rows - 1}>
				<Box height={headerHeight(warnings)} flexShrink={0}>
					<Header host={summary} view={state.view} width={size.columns} />
				</Box>
				<Box height={body} flexShrink={0} flexDirection="column">
					{content}
				</Box>
				<Footer context={context} message={state.message} status={status} width={size.columns} />
			</Box>
		</ThemeContext.Provider>
	);
}
