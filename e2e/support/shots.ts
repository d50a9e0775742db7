import type { Page } from '@playwright/test';

/**
 * The spec's screenshot taker: e2e/artifacts/<area>/<name>.png, with CSS
 * animations finished first (Fluent's progress bars animate their width even
 * with reduced motion, so a shot could catch one half-way).
 */
export function screenshots(area: string): (page: Page, name: string) => Promise<void> {
  return async (page, name) => {
    await page.screenshot({ path: `e2e/artifacts/${area}/${name}.png`, animations: 'disabled' });
  };
}
