import { beforeAll, describe, expect, it } from 'vitest';
import { useCliDataDir } from '../testing/cli-harness';
import { ensureTestGuest, type TestGuest } from '../testing/guest';

const { cli, json } = useCliDataDir('viridian-cli-snap-');
let guest: TestGuest;
beforeAll(async () => {
  guest = await ensureTestGuest();
});

describe('viridian snapshot', () => {
  it('creates, lists (with Now), applies and deletes snapshots, with --json', async () => {
    expect((await cli('vm', 'create', 'box', '--memory', '128', '--kernel', guest.kernel, '--new-disk', '16M')).code).toBe(0);
    const first = await json<{ snapshot: { id: string; name: string; vmState: string } }>('snapshot', 'create', 'box', '--name', 'first');
    expect(first.snapshot).toMatchObject({ name: 'first', vmState: 'Off' });
    const b = await cli('snapshot', 'create', 'box');
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/^Took snapshot "box - \(.+\)" \([0-9a-f-]{36}\) of "box" \(Off\)\.\n$/);

    const list = await cli('snapshot', 'list', 'box');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/first {2}\[Off\][\s\S]*└─ box - [\s\S]*└─ ▶ Now/);
    const tree = await json<{ snapshots: { id: string; parentId: string | null }[]; nowParentId: string }>('snapshot', 'list', 'box');
    expect(tree.snapshots).toHaveLength(2);
    expect(tree.snapshots[1]?.parentId).toBe(first.snapshot.id);
    expect(tree.nowParentId).toBe(tree.snapshots[1]?.id);

    expect(await json('snapshot', 'apply', 'box', 'first')).toMatchObject({ vm: { name: 'box', state: 'Off' }, snapshot: { name: 'first' } });
    expect(await json('snapshot', 'list', 'box')).toMatchObject({ nowParentId: first.snapshot.id });

    const del = await cli('snapshot', 'delete', 'box', 'first', '--subtree');
    expect(del.code).toBe(0);
    expect(del.out).toBe('Deleted 2 snapshots of "box"; its disk data was merged.\n');
    expect((await cli('snapshot', 'list', 'box')).out).toBe('"box" has no snapshots.\n');
  }, 60_000);

  it('fails with exit 1 and one line for unknown VMs and snapshots, exit 2 for bad usage', async () => {
    const r = await cli('snapshot', 'apply', 'box', 'nope');
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^error: "box" has no snapshot "nope"\. Run `viridian snapshot list box`/);
    const j = await cli('snapshot', 'list', 'ghost', '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await cli('snapshot', 'apply', 'box')).code).toBe(2);
    expect((await cli('snapshot', 'delete', 'box', 'x', '--tree')).code).toBe(2);
    const help = await cli('snapshot', '--help');
    expect(help.out).toMatch(/list[\s\S]*create[\s\S]*apply[\s\S]*delete/);
  }, 60_000);
});
