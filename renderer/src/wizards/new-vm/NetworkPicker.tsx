import { Combobox, Option } from '@fluentui/react-components';
import { NOT_CONNECTED, SUGGESTED_NETWORKS } from './networks';

/** A virtual network name, or "Not connected" (null); names can be typed. */
export function NetworkPicker({
  value,
  onChange,
  disabled = false,
  id,
}: {
  value: string | null;
  onChange: (v: string | null) => void;
  disabled?: boolean;
  id?: string;
}) {
  const options = [NOT_CONNECTED, ...SUGGESTED_NETWORKS];
  return (
    <Combobox
      {...(id !== undefined ? { id } : {})}
      freeform
      disabled={disabled}
      value={value ?? NOT_CONNECTED}
      selectedOptions={[value ?? NOT_CONNECTED]}
      onOptionSelect={(_, d) => {
        if (d.optionValue !== undefined) onChange(d.optionValue === NOT_CONNECTED ? null : d.optionValue);
      }}
      onChange={(e) => onChange(e.target.value === NOT_CONNECTED ? null : e.target.value)}
    >
      {options.map((o) => (
        <Option key={o} value={o}>
          {o}
        </Option>
      ))}
    </Combobox>
  );
}
