import { Checkbox } from '@fluentui/react-components';
import { usePageStyles } from '../page-styles';

export const SKIP_INTRO_KEY = 'viridian.newVm.skipIntro';

export function BeforeYouBeginPage({ skip, onSkip }: { skip: boolean; onSkip: (v: boolean) => void }) {
  const s = usePageStyles();
  return (
    <>
      <p className={s.intro}>
        This wizard helps you create a virtual machine. You can use it as a template for a new computer: choose its memory, network,
        virtual hard disk and how to install an operating system. You can change all of these later in the virtual machine’s
        settings.
      </p>
      <ul className={s.list}>
        <li>To create a virtual machine with default settings, click Finish now.</li>
        <li>To choose the settings yourself, click Next.</li>
      </ul>
      <Checkbox label="Do not show this page again" checked={skip} onChange={(_, d) => onSkip(d.checked === true)} />
    </>
  );
}
