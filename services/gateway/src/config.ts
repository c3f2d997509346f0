import Type from 'typebox'
import { SharedConfig } from '@emporium/platform'

/** The gateway's environment variables. */
export const GatewayConfig = Type.Object({
  ...SharedConfig,
  /** Port of the public API (API.md: 8080 unless PORT says otherwise). */
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
  /** Interface to listen on. */
  HOST: Type.String({ default: '0.0.0.0' }),
})
export type GatewayConfig = Type.Static<typeof GatewayConfig>
