import { useEffect, useRef, type ReactNode } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { ChevronLeft16Regular, ChevronRight16Regular, ErrorCircle12Filled } from '@fluentui/react-icons';
import type { ErrorInfo } from '../../../core/contract';
import { DialogError } from '../dialogs/DialogError';

export interface WizardStep {
  id: string;
  title: string;
  /** The page has a problem: marked in the step list. */
  invalid?: boolean;
}

const useStyles = makeStyles({
  surface: { width: '860px', maxWidth: 'calc(100vw - 48px)', padding: 0 },
  body: { display: 'flex', flexDirection: 'column', gap: 0, height: 'min(600px, calc(100vh - 48px))' },
  title: { padding: '14px 20px', borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, fontSize: tokens.fontSizeBase400 },
  main: { display: 'flex', flexGrow: 1, minHeight: 0, padding: 0, overflow: 'hidden' },
  stepsNav: {
    width: '240px',
    flexShrink: 0,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    overflowY: 'auto',
  },
  steps: { margin: 0, padding: '12px 0', listStyleType: 'none' },
  step: {
    display: 'flex',
    alignItems: 'center',
    gap: '6px',
    width: '100%',
    padding: '6px 16px 6px 14px',
    border: 'none',
    borderLeft: '3px solid transparent',
    background: 'none',
    color: tokens.colorNeutralForeground2,
    font: 'inherit',
    fontSize: tokens.fontSizeBase300,
    textAlign: 'start',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover, color: tokens.colorNeutralForeground1 },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  current: {
    borderLeft: `3px solid ${tokens.colorBrandStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    fontWeight: tokens.fontWeightSemibold,
  },
  bad: { color: tokens.colorPaletteRedForeground1, flexShrink: 0 },
  page: { flexGrow: 1, minWidth: 0, overflowY: 'auto', padding: '16px 24px 20px', display: 'flex', flexDirection: 'column', gap: '14px' },
  pageTitle: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  actions: { justifyContent: 'flex-end', padding: '12px 20px', borderTop: `1px solid ${tokens.colorNeutralStroke2}`, backgroundColor: tokens.colorNeutralBackground2 },
});

export interface WizardFrameProps {
  title: string;
  testId: string;
  steps: readonly WizardStep[];
  current: number;
  onStep: (index: number) => void;
  /** Next is allowed (the page is valid). */
  canNext: boolean;
  canFinish: boolean;
  busy: boolean;
  busyLabel: string;
  error: ErrorInfo | null;
  onFinish: () => void;
  onCancel: () => void;
  /** Label of the Cancel button (e.g. "Close" once a wizard's job is done). */
  cancelLabel?: string;
  children: ReactNode;
}

/** Hyper-V's wizard layout: steps on the left, the page on the right, Previous / Next / Finish / Cancel. */
export function WizardFrame(p: WizardFrameProps) {
  const s = useStyles();
  const pageRef = useRef<HTMLElement>(null);
  const step = p.steps[p.current];
  const first = useRef(true);
  // A new page takes focus to its first field, so keyboard users never sit on a button that just got disabled.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const target = pageRef.current?.querySelector<HTMLElement>('input:not([disabled]), textarea:not([disabled]), button:not([disabled])');
    target?.focus();
  }, [p.current]);
  const last = p.current === p.steps.length - 1;
  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => !d.open && !p.busy && p.onCancel()}>
      <DialogSurface className={s.surface} data-testid={p.testId}>
        <DialogBody className={s.body}>
          <DialogTitle className={s.title}>{p.title}</DialogTitle>
          <DialogContent className={s.main}>
            <nav aria-label="Wizard steps" className={s.stepsNav}>
              <ol className={s.steps}>
                {p.steps.map((st, i) => (
                  <li key={st.id}>
                    <button
                      type="button"
                      className={mergeClasses(s.step, i === p.current && s.current)}
                      aria-current={i === p.current ? 'step' : undefined}
                      onClick={() => p.onStep(i)}
                      disabled={p.busy}
                    >
                      <span>{st.title}</span>
                      {st.invalid === true && <ErrorCircle12Filled className={s.bad} aria-label="has a problem" />}
                    </button>
                  </li>
                ))}
              </ol>
            </nav>
            <section className={s.page} aria-labelledby="wizard-page-title" ref={pageRef}>
              <h2 className={s.pageTitle} id="wizard-page-title">
                {step?.title}
              </h2>
              <DialogError error={p.error} />
              {p.children}
            </section>
          </DialogContent>
          <DialogActions className={s.actions}>
            {p.busy && <Spinner size="tiny" label={p.busyLabel} />}
            <Button icon={<ChevronLeft16Regular />} disabled={p.current === 0 || p.busy} onClick={() => p.onStep(p.current - 1)}>
              Previous
            </Button>
            <Button
              icon={<ChevronRight16Regular />}
              iconPosition="after"
              disabled={last || !p.canNext || p.busy}
              appearance={last ? 'secondary' : 'primary'}
              onClick={() => p.onStep(p.current + 1)}
            >
              Next
            </Button>
            <Button appearance={last ? 'primary' : 'secondary'} disabled={!p.canFinish || p.busy} onClick={p.onFinish}>
              Finish
            </Button>
            <Button disabled={p.busy} onClick={p.onCancel}>
              {p.cancelLabel ?? 'Cancel'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
