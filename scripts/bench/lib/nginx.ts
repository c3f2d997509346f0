// nginx (Debian package `nginx`) as the reference reverse proxy: one worker, upstream keep-alive,
// no access log, with a generated configuration in a scratch prefix and `daemon off`, so that
// it is this run's child and goes away with it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensurePackage } from './tools.js'
import { freePort, scratchDir, spawnChild, waitForHttp, type Child } from './processes.js'

export interface NginxRoute {
  /** Public path prefix, e.g. `/api/v1/products/`. */
  location: string
  /** Upstream origin and path prefix it maps to, e.g. `http://127.0.0.1:18123/products/`. */
  target: string
}

export async function startNginx(
  routes: NginxRoute[],
): Promise<{ origin: string; child: Child; stop: () => Promise<void> }> {
  await ensurePackage('nginx', '/usr/sbin/nginx')
  const prefix = scratchDir('nginx')
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(prefix, temp))
  }
  const port = await freePort()
  const upstreams = new Map<string, string>()
  const locations = routes.map((route) => {
    const url = new URL(route.target)
    let name = upstreams.get(url.host)
    if (!name) {
      name = `up${upstreams.size}`
      upstreams.set(url.host, name)
    }
    return `    location ${route.location} {
      proxy_pass http://${name}${url.pathname}${url.search};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }`
  })
  const config = `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_requests 1000000;
${[...upstreams]
  .map(
    ([host, name]) =>
      `  upstream ${name} { server ${host}; keepalive 64; keepalive_requests 1000000; }`,
  )
  .join('\n')}
  server {
    listen 127.0.0.1:${port};
    location = /nginx-health { return 200 "ok"; }
${locations.join('\n')}
  }
}
`
  const file = join(prefix, 'nginx.conf')
  writeFileSync(file, config)
  const child = spawnChild('nginx', '/usr/sbin/nginx', [
    '-p',
    prefix,
    '-e',
    `${prefix}/error.log`,
    '-c',
    file,
  ])
  const origin = `http://127.0.0.1:${port}`
  await waitForHttp(`${origin}/nginx-health`, { child, timeoutMs: 10_000 })
  return { origin, child, stop: () => child.stop() }
}
