import { createHash } from 'node:crypto'

type Json = Record<string, unknown>

const escape = (text: unknown) =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Follows a local `$ref` (`#/components/...`), so that the page shows what it points at. */
function resolver(document: Json) {
  return (value: unknown): unknown => {
    let current = value
    for (let hops = 0; hops < 5 && isObject(current) && typeof current.$ref === 'string'; hops++) {
      const ref = current.$ref
      if (!ref.startsWith('#/')) break
      current = ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), document)
    }
    return current
  }
}

const style = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1d1d1f}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
section{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
h3{font-size:1rem;margin:.2rem 0}code,pre{font:13px/1.4 ui-monospace,monospace}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:24rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700}.get{color:#0a6}.post{color:#06c}
.put,.patch{color:#a60}.delete{color:#c22}.access{font-size:.85rem;color:#555}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
`

function schemaBlock(label: string, schema: unknown): string {
  if (schema === undefined) return ''
  const text = JSON.stringify(schema, null, 2)
  const shown = text.length > 6_000 ? `${text.slice(0, 6_000)}\n…` : text
  return `<details><summary>${escape(label)}</summary><pre>${escape(shown)}</pre></details>`
}

function parameters(list: unknown): string {
  if (!Array.isArray(list) || list.length === 0) return ''
  const rows = list
    .filter(isObject)
    .map(
      (p) =>
        `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td>` +
        `<td>${p.required ? 'yes' : ''}</td><td>${escape((p.schema as Json | undefined)?.type)}</td>` +
        `<td>${escape(p.description)}</td></tr>`,
    )
  return `<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th><th></th></tr>${rows.join('')}</table>`
}

function operation(
  path: string,
  method: string,
  op: Json,
  shared: unknown,
  resolve: (value: unknown) => unknown,
): string {
  const access = String(op['x-emporium-access'] ?? 'public')
  const body = (op.requestBody as Json | undefined)?.content as Json | undefined
  const responses = isObject(op.responses)
    ? Object.entries(op.responses).map(([status, response]) => [status, resolve(response)] as const)
    : []
  return [
    `<section id="${escape(`${method}-${path}`)}">`,
    `<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>`,
    op.summary ? `<p>${escape(op.summary)}</p>` : '',
    op.description ? `<p>${escape(op.description)}</p>` : '',
    `<p class="access">access: ${escape(access)}</p>`,
    parameters([
      ...(Array.isArray(shared) ? shared : []),
      ...(Array.isArray(op.parameters) ? op.parameters : []),
    ]),
    body
      ? schemaBlock('request body', resolve((Object.values(body)[0] as Json | undefined)?.schema))
      : '',
    ...responses.map(([status, response]) => {
      const content = isObject(response) ? (response.content as Json | undefined) : undefined
      const schema = content
        ? resolve((Object.values(content)[0] as Json | undefined)?.schema)
        : undefined
      const label = `${status} ${isObject(response) ? String(response.description ?? '') : ''}`
      return schema ? schemaBlock(label, schema) : `<p>${escape(label)}</p>`
    }),
    '</section>',
  ].join('')
}

/**
 * A self-contained HTML reference of an OpenAPI document: no script, no external style or font,
 * its one style allowed by hash in the page's own Content-Security-Policy.
 */
export function renderApiDocs(document: Json): { html: string; contentSecurityPolicy: string } {
  const info = isObject(document.info) ? document.info : {}
  const byTag = new Map<string, string[]>()
  const resolve = resolver(document)
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || method === 'parameters') continue
      const tag = Array.isArray(op.tags) && op.tags.length ? String(op.tags[0]) : 'other'
      byTag.set(tag, [
        ...(byTag.get(tag) ?? []),
        operation(path, method, op, item.parameters, resolve),
      ])
    }
  }
  const groups = [...byTag].map(([tag, ops]) => `<h2>${escape(tag)}</h2>${ops.join('')}`)
  const empty = '<p>No service has published its API yet.</p>'
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(info.title)}</title><style>${style}</style></head><body>
<h1>${escape(info.title)}</h1><p>${escape(info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${escape(document.openapi)}).</p>
${groups.length ? groups.join('\n') : empty}
</body></html>`
  const hash = createHash('sha256').update(style).digest('base64')
  const contentSecurityPolicy = [
    "default-src 'none'",
    `style-src 'sha256-${hash}'`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
  return { html, contentSecurityPolicy }
}
