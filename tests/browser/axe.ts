import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AxeResults } from 'axe-core'
import type { Page } from 'playwright-core'

// axe-core on a page of a browser test, as accessibility.int.test.ts runs it: every rule axe runs
// by default (WCAG 2.x A and AA, best practices), on the page as it is when asked.
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

/**
 * axe's violations on the page as it is now, one line each (rule, impact, the elements found);
 * none: an empty list. Throws when axe passed too few rules to have read the page at all.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.waitForFunction(() => !document.querySelector('.skeleton-wrap, .loading'))
  // Evaluated through the browser's protocol, which the page's CSP (no inline script) allows.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const results: AxeResults = await page.evaluate(() =>
    (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  )
  if (results.passes.length <= 10) throw new Error(`axe read nothing on ${page.url()}`)
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes
        .slice(0, 5)
        .map((node) => node.target.join(' '))
        .join(' | ')}`,
  )
}
