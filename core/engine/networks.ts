// Virtual Network Manager: the network.* methods.
import type { EngineFeature } from './context';
import { networksFor } from './networks-store';

export const networksFeature: EngineFeature = async (ctx, methods) => {
  const store = networksFor(ctx);
  // A damaged networks.json must not keep the engine from opening: the methods (and starts of VMs
  // with connected adapters) say CONFIG_CORRUPT with the file's name until it is fixed.
  await store.load().catch((err: unknown) => ctx.log(`networks: ${(err as Error).message}`));
  // Internal networks' host interfaces end with the host (or were never up): bring them back.
  void store.attachAllHosts().catch((err: unknown) => ctx.log(`networks: ${String(err)}`));
  methods.handle('network.list', () => store.list());
  methods.handle('network.create', (p) => store.create(p));
  methods.handle('network.update', (p) => store.update(p));
  methods.handle('network.delete', (p) => store.delete(p.network));
  methods.handle('network.setMacPool', (p) => store.setMacPool(p));
};
