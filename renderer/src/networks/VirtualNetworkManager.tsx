import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Textarea,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, Delete16Regular, VirtualNetwork20Regular, Globe20Regular, ArrowSwap20Regular } from '@fluentui/react-icons';
import { toErrorInfo, type ErrorInfo, type NetworkKind, type NetworkList } from '../../../core/contract';
import { DialogError } from '../dialogs/DialogError';
import { useEngine } from '../engine/engine-context';
import { closeDialog } from '../state/ui-store';
import { useNavDialogStyles } from '../ui/nav-dialog-styles';
import { usePageStyles } from '../wizards/page-styles';
import { KIND_HELP, KIND_LABELS, loadNetworks } from './network-store';
import { draftFrom, newNetwork, pendingCalls, poolErrors, validateNetwork, type ManagerDraft, type NetworkDraft } from './network-draft';

const useStyles = makeStyles({
  surface: { width: '900px' },
  body: { height: 'min(620px, calc(100vh - 48px))' },
  nav: { width: '270px' },
  entry: { gridTemplateColumns: '20px minmax(0, 1fr)', padding: '4px 12px 4px 11px' },
  entryDetail: { gridColumn: '2 / 3' },
  removed: { textDecorationLine: 'line-through', color: tokens.colorNeutralForeground3 },
  adapters: { margin: 0, paddingLeft: '18px', color: tokens.colorNeutralForeground2 },
  how: { margin: 0, padding: '8px 12px', backgroundColor: tokens.colorNeutralBackground2, borderRadius: tokens.borderRadiusMedium, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

type Page = { kind: 'new' } | { kind: 'network'; key: string } | { kind: 'pool' };

function connectionText(n: NetworkDraft): string {
  if (n.kind === 'external') return n.mode === 'bridge' ? `External, bridge ${n.bridge}` : 'External, NAT';
  return KIND_LABELS[n.kind];
}

/** Hyper-V's Virtual Network Manager: networks on the left, properties on the right, OK / Cancel / Apply. */
export function VirtualNetworkManager() {
  const s = useStyles();
  const nd = useNavDialogStyles();
  const p = usePageStyles();
  const engine = useEngine();
  const [list, setList] = useState<NetworkList | null>(null);
  const [draft, setDraft] = useState<ManagerDraft | null>(null);
  const [page, setPage] = useState<Page>({ kind: 'new' });
  const [newKind, setNewKind] = useState<NetworkKind>('private');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = async (keepPage: boolean): Promise<void> => {
    const l = await loadNetworks(engine);
    if (l === null) return;
    setList(l);
    setDraft(draftFrom(l));
    if (!keepPage) setPage(l.networks[0] ? { kind: 'network', key: l.networks[0].id } : { kind: 'new' });
  };
  useEffect(() => {
    void reload(false).catch((err: unknown) => setError(toErrorInfo(err)));
     
  }, []);

  const nets = draft?.networks ?? [];
  const current = page.kind === 'network' ? nets.find((n) => n.key === page.key) : undefined;
  const setNet = (key: string, patch: Partial<NetworkDraft>): void => {
    setDraft((d) => (d === null ? d : { ...d, networks: d.networks.map((n) => (n.key === key ? { ...n, ...patch } : n)) }));
    setError(null);
  };
  const errorsOf = (n: NetworkDraft) => validateNetwork(n, nets);
  const pErr = draft ? poolErrors(draft.poolFirst, draft.poolLast) : {};
  const valid = nets.every((n) => n.removed || Object.keys(errorsOf(n)).length === 0) && Object.keys(pErr).length === 0;
  const calls = draft && list ? pendingCalls(draft, list) : [];
  const dirty = calls.length > 0;

  const apply = async (): Promise<boolean> => {
    if (!draft || !list) return false;
    setBusy(true);
    setError(null);
    const keyBefore = page.kind === 'network' ? page.key : null;
    let createdId: string | null = null;
    try {
      for (const c of calls) {
        // One at a time and in order: a failure stops here, and what went before stays applied.
        const r = await engine.call(c.method, c.params as never);
        if (c.method === 'network.create' && c.key === keyBefore) createdId = (r as { id: string }).id;
      }
      await reload(true);
      if (createdId) setPage({ kind: 'network', key: createdId });
      else if (page.kind === 'network' && calls.some((c) => c.method === 'network.delete' && c.key === page.key)) setPage({ kind: 'new' });
      setBusy(false);
      return true;
    } catch (err) {
      setError(toErrorInfo(err));
      await reload(true).catch(() => undefined);
      setBusy(false);
      return false;
    }
  };

  const add = (): void => {
    if (!draft) return;
    const n = newNetwork(newKind, nets.filter((x) => !x.removed).map((x) => x.name));
    setDraft({ ...draft, networks: [...draft.networks, n] });
    setPage({ kind: 'network', key: n.key });
  };

  const caps = list?.capabilities ?? null;
  const savedView = current?.saved ?? null;

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => !d.open && !busy && closeDialog()}>
      <DialogSurface className={mergeClasses(nd.surface, s.surface)} data-testid="network-manager">
        <DialogBody className={mergeClasses(nd.body, s.body)}>
          <DialogTitle className={nd.title}>Virtual Network Manager</DialogTitle>
          <DialogContent className={nd.main}>
            <nav className={mergeClasses(nd.nav, s.nav)} aria-label="Virtual networks">
              <h3 className={nd.group}>Virtual Networks</h3>
              <ul className={nd.list}>
                <li>
                  <button type="button" className={mergeClasses(nd.entry, s.entry, page.kind === 'new' && nd.selected)} onClick={() => setPage({ kind: 'new' })} data-testid="vnm-nav-new">
                    <Add16Regular aria-hidden="true" />
                    <span className={nd.entryTitle}>New virtual network</span>
                  </button>
                </li>
                {nets.map((n) => (
                  <li key={n.key}>
                    <button
                      type="button"
                      className={mergeClasses(nd.entry, s.entry, page.kind === 'network' && page.key === n.key && nd.selected)}
                      onClick={() => setPage({ kind: 'network', key: n.key })}
                      data-testid={`vnm-nav-${n.name}`}
                      aria-current={page.kind === 'network' && page.key === n.key ? 'page' : undefined}
                    >
                      <VirtualNetwork20Regular aria-hidden="true" />
                      <span className={mergeClasses(nd.entryTitle, n.removed && s.removed)}>{n.name}</span>
                      <span className={mergeClasses(nd.entryDetail, s.entryDetail)}>{n.removed ? 'Removed when you apply' : `${connectionText(n)}${n.id === null ? ' (new)' : ''}`}</span>
                    </button>
                  </li>
                ))}
              </ul>
              <h3 className={nd.group}>Global Network Settings</h3>
              <ul className={nd.list}>
                <li>
                  <button type="button" className={mergeClasses(nd.entry, s.entry, page.kind === 'pool' && nd.selected)} onClick={() => setPage({ kind: 'pool' })} data-testid="vnm-nav-pool">
                    <ArrowSwap20Regular aria-hidden="true" />
                    <span className={nd.entryTitle}>MAC Address Range</span>
                    <span className={mergeClasses(nd.entryDetail, s.entryDetail)}>{draft ? `${draft.poolFirst} – ${draft.poolLast}` : ''}</span>
                  </button>
                </li>
              </ul>
            </nav>
            <section className={nd.page} aria-labelledby="vnm-page-title">
              <h2 className={nd.pageTitle} id="vnm-page-title">
                {page.kind === 'new' ? 'Create virtual network' : page.kind === 'pool' ? 'MAC Address Range' : 'Virtual Network Properties'}
              </h2>
              <DialogError error={error} />
              {draft === null && error === null && <Spinner size="small" label="Reading the virtual networks…" />}
              {draft !== null && page.kind === 'new' && (
                <>
                  <p className={p.intro}>What type of virtual network do you want to create?</p>
                  <RadioGroup value={newKind} onChange={(_, d) => setNewKind(d.value as NetworkKind)} aria-label="Type of virtual network">
                    {(['external', 'internal', 'private'] as const).map((k) => (
                      <Radio key={k} value={k} label={<span><strong>{KIND_LABELS[k]}</strong> — {KIND_HELP[k]}</span>} />
                    ))}
                  </RadioGroup>
                  <div>
                    <Button appearance="primary" icon={<Add16Regular />} onClick={add}>
                      Add
                    </Button>
                  </div>
                </>
              )}
              {draft !== null && current !== undefined && (
                <NetworkPage
                  n={current}
                  errors={errorsOf(current)}
                  onChange={(patch) => setNet(current.key, patch)}
                  caps={caps}
                  saved={savedView}
                  onRemove={() => {
                    if (current.id === null) {
                      setDraft({ ...draft, networks: draft.networks.filter((x) => x.key !== current.key) });
                      setPage({ kind: 'new' });
                    } else setNet(current.key, { removed: !current.removed });
                  }}
                />
              )}
              {draft !== null && page.kind === 'pool' && list !== null && (
                <>
                  <p className={p.intro}>
                    Network adapters with a dynamic MAC address get one from this range, lowest free first. No address is used twice on this host;
                    static addresses are checked against the same rule.
                  </p>
                  <div className={p.row}>
                    <Field label="Minimum" {...(pErr.first ? { validationState: 'error' as const, validationMessage: pErr.first } : {})}>
                      <Input value={draft.poolFirst} onChange={(_, d) => setDraft({ ...draft, poolFirst: d.value })} style={{ fontFamily: 'monospace', width: 200 }} />
                    </Field>
                    <Field label="Maximum" {...(pErr.last ? { validationState: 'error' as const, validationMessage: pErr.last } : {})}>
                      <Input value={draft.poolLast} onChange={(_, d) => setDraft({ ...draft, poolLast: d.value })} style={{ fontFamily: 'monospace', width: 200 }} />
                    </Field>
                  </div>
                  <p className={p.note}>
                    {list.macPool.used} of {list.macPool.size} addresses in use.
                  </p>
                </>
              )}
            </section>
          </DialogContent>
          <DialogActions className={nd.actions}>
            {busy && <Spinner size="tiny" label="Applying…" />}
            <Button
              appearance="primary"
              disabled={busy || !valid}
              onClick={() => {
                if (!dirty) closeDialog();
                else void apply().then((ok) => ok && closeDialog());
              }}
            >
              OK
            </Button>
            <Button disabled={busy} onClick={closeDialog}>
              Cancel
            </Button>
            <Button disabled={busy || !dirty || !valid} onClick={() => void apply()}>
              Apply
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function NetworkPage({
  n,
  errors,
  onChange,
  onRemove,
  caps,
  saved,
}: {
  n: NetworkDraft;
  errors: ReturnType<typeof validateNetwork>;
  onChange: (patch: Partial<NetworkDraft>) => void;
  onRemove: () => void;
  caps: NetworkList['capabilities'] | null;
  saved: NetworkList['networks'][number] | null;
}) {
  const s = useStyles();
  const p = usePageStyles();
  const fs = (e: string | undefined) => (e ? { validationState: 'error' as const, validationMessage: e } : {});
  const inUse = saved?.adapters.length ?? 0;
  return (
    <>
      {n.removed && (
        <MessageBar intent="warning">
          <MessageBarBody>This network is removed when you click OK or Apply.</MessageBarBody>
        </MessageBar>
      )}
      <div className={p.fields}>
        <Field label="Name" {...fs(errors.name)}>
          <Input value={n.name} disabled={n.removed} onChange={(_, d) => onChange({ name: d.value })} />
        </Field>
        <Field label="Notes">
          <Textarea value={n.notes} disabled={n.removed} onChange={(_, d) => onChange({ notes: d.value })} resize="vertical" />
        </Field>
        <Field label="Connection type" hint={n.id === null ? KIND_HELP[n.kind] : `${KIND_HELP[n.kind]} The type is chosen when the network is created.`}>
          <RadioGroup value={n.kind} layout="horizontal" disabled={n.id !== null || n.removed} onChange={(_, d) => onChange({ kind: d.value as NetworkKind })}>
            <Radio value="external" label="External" />
            <Radio value="internal" label="Internal only" />
            <Radio value="private" label="Private virtual machine network" />
          </RadioGroup>
        </Field>
        {n.kind === 'external' && (
          <div className={p.indent}>
            <RadioGroup value={n.mode} disabled={n.removed} onChange={(_, d) => onChange({ mode: d.value === 'bridge' ? 'bridge' : 'nat' })} aria-label="External connection">
              <Radio value="nat" label="NAT (user-mode networking; no privileges needed)" />
              <Radio value="bridge" label="Host bridge" disabled={caps !== null && !caps.bridge.available && n.mode !== 'bridge'} />
            </RadioGroup>
            {n.mode === 'bridge' ? (
              <Field label="Bridge" {...fs(errors.bridge)}>
                <Dropdown value={n.bridge} selectedOptions={[n.bridge]} disabled={n.removed} onOptionSelect={(_, d) => onChange({ bridge: d.optionValue ?? '' })}>
                  {(caps?.bridge.bridges ?? []).map((b) => (
                    <Option key={b} value={b}>
                      {b}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            ) : null}
            {caps && <p className={p.note}>{caps.bridge.reason}</p>}
          </div>
        )}
        {n.kind === 'internal' && (
          <div className={p.indent}>
            <Field label="Host address" hint={n.id === null ? 'Leave empty for a free 10.x.y.1/24.' : 'The host’s address on this network.'} {...fs(errors.hostAddress)}>
              <Input value={n.hostAddress} placeholder="10.200.1.1/24" disabled={n.removed} onChange={(_, d) => onChange({ hostAddress: d.value })} style={{ width: 200 }} />
            </Field>
            {caps && !caps.hostInterface.available && (
              <MessageBar intent="warning" layout="multiline">
                <MessageBarBody>{caps.hostInterface.reason}</MessageBarBody>
              </MessageBar>
            )}
            {saved?.host && (
              <p className={p.note}>
                Host interface {saved.host.ifname}: {saved.hostAttached ? 'up' : 'not attached'}.
              </p>
            )}
          </div>
        )}
      </div>
      {saved && (
        <>
          <p className={s.how}>
            <Globe20Regular aria-hidden="true" style={{ verticalAlign: 'middle', marginRight: 6 }} />
            {saved.realisation}
          </p>
          {saved.warning && (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>{saved.warning}</MessageBarBody>
            </MessageBar>
          )}
          <div>
            <strong>Connected adapters</strong>
            {inUse === 0 ? (
              <p className={p.note}>None.</p>
            ) : (
              <ul className={s.adapters}>
                {saved.adapters.map((a) => (
                  <li key={`${a.vmId}/${a.adapterId}`}>
                    {a.vmName} — {a.kind === 'legacy' ? 'Legacy Network Adapter' : 'Network Adapter'} {a.mac}
                    {a.vlanId !== null ? `, VLAN ${a.vlanId}` : ''}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </>
      )}
      <div>
        <Button icon={<Delete16Regular />} onClick={onRemove} disabled={inUse > 0 && !n.removed}>
          {n.removed ? 'Keep' : 'Remove'}
        </Button>
        {inUse > 0 && !n.removed && <span className={p.note} style={{ marginLeft: 10 }}>Disconnect its adapters first.</span>}
      </div>
    </>
  );
}
