// Keeps STYLE.md's test layout: inside a service's src/, a test is named after the file it tests
// and sits beside it (`x.test.ts` or `x.int.test.ts` next to `x.ts`), so the test of a file is
// found without a search. Tests of a capability across files live in the service's test/ folder
// instead, where this check does not look. Helpers shared by tests (`*-test-support.ts`,
// `*-suite.ts`) are not tests and need no source of their name.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** `.test.ts` and the suffixes of the test kinds STYLE.md and the vitest configs name. */
const testSuffix = /(\.(int|crash|load|containers))?\.test\.tsx?$/

/**
 * The tests among `files` (paths relative to the repository, `/`-separated) that are under a
 * service's src/ and have no source file of their name beside them in `files`.
 */
function testsNamedAfterNoSource(files: readonly string[]): string[] {
  const present = new Set(files)
  return files.filter((file) => {
    if (!/^services\/[^/]+\/src\//.test(file) || !testSuffix.test(file)) return false
    const base = file.replace(testSuffix, '')
    return !present.has(`${base}.ts`) && !present.has(`${base}.tsx`)
  })
}

/** Every file under services/<name>/src/, relative to the repository. */
function serviceSourceFiles(): string[] {
  const servicesDir = path.join(repoRoot, 'services')
  return readdirSync(servicesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((service) =>
      readdirSync(path.join(servicesDir, service.name, 'src'), {
        recursive: true,
        withFileTypes: true,
      })
        .filter((entry) => entry.isFile())
        .map((entry) =>
          path
            .relative(repoRoot, path.join(entry.parentPath, entry.name))
            .split(path.sep)
            .join('/'),
        ),
    )
}

describe('test layout', () => {
  it('names every test under services/*/src/ after a source file beside it', () => {
    const files = serviceSourceFiles()
    // A walk that found nothing would pass for the wrong reason.
    expect(files.filter((file) => testSuffix.test(file)).length).toBeGreaterThan(50)
    expect(testsNamedAfterNoSource(files)).toEqual([])
  })

  it('refuses a test named after no file, and lets a test beside its source and helpers through', () => {
    const planted = [
      'services/shop/src/app/place-order.ts',
      'services/shop/src/app/place-order.test.ts',
      'services/shop/src/app/fakes-test-support.ts',
      'services/shop/src/app/use-cases.test.ts',
      'services/shop/src/domain/domain.test.ts',
      'services/shop/src/infra/pg-store.ts',
      'services/shop/src/infra/pg-store.int.test.ts',
      'services/shop/src/infra/pg-stores.int.test.ts',
      // A test of another folder's file is not beside it.
      'services/shop/src/http/place-order.test.ts',
      // Capability suites under test/ are named after what they cover, not after a file.
      'services/shop/test/checkout.int.test.ts',
      'services/shop/test/shop-service-suite.ts',
    ]
    expect(testsNamedAfterNoSource(planted)).toEqual([
      'services/shop/src/app/use-cases.test.ts',
      'services/shop/src/domain/domain.test.ts',
      'services/shop/src/infra/pg-stores.int.test.ts',
      'services/shop/src/http/place-order.test.ts',
    ])
  })
})
