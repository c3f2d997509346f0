import Type from 'typebox'
import { Problem } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'

/*
 * Fault injection for the chaos runner, served only with PAYMENTS_SIMULATED_FAULTS_API=true and
 * only with the simulated acquirer. The schemas live here rather than in the contracts: no
 * client of the public API, and no other service, ever calls this.
 */

const FaultsBody = Type.Object(
  {
    /** Share of provider calls refused (0..1) while the outage lasts. */
    errorRate: Type.Number({ minimum: 0, maximum: 1 }),
    /** Share of provider calls that act but lose their answer (0..1). */
    lostReplyRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** How long the outage lasts from now; 0 ends the current one. */
    seconds: Type.Integer({ minimum: 0, maximum: 3600 }),
  },
  { additionalProperties: false },
)
type FaultsBody = Type.Static<typeof FaultsBody>

const Faults = Type.Object({
  errorRate: Type.Number(),
  lostReplyRate: Type.Number(),
  /** End of the outage (RFC 3339); null when none is in force. */
  until: Type.Union([Type.String(), Type.Null()]),
})
type Faults = Type.Static<typeof Faults>

export interface SimulatorRoutesDeps {
  verifier: JwtVerifier
  setFaults(request: FaultsBody): Promise<Faults>
  currentFaults(): Promise<Faults | undefined>
}

/**
 * `POST`/`GET /internal/simulator/faults`: schedule or read an acquirer outage. The owner's alone
 * (issue 19: `staff.manage`, which only the owner holds; the legacy `admin` is the owner).
 */
export function simulatorRoutes(deps: SimulatorRoutesDeps): HttpRoutes {
  return async (app) => {
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)
    const responses = { 200: Faults, 400: Problem, 401: Problem, 403: Problem }

    app.post(
      '/internal/simulator/faults',
      {
        config: { permission: 'staff.manage' },
        schema: {
          tags: ['internal'],
          summary: 'Make the simulated acquirer fail for a while (chaos tests, owner)',
          body: FaultsBody,
          response: responses,
        },
      },
      async (request) => deps.setFaults(request.body),
    )

    app.get(
      '/internal/simulator/faults',
      {
        config: { permission: 'staff.manage' },
        schema: {
          tags: ['internal'],
          summary: 'The simulated acquirer outage in force (chaos tests, owner)',
          response: responses,
        },
      },
      async () => (await deps.currentFaults()) ?? { errorRate: 0, lostReplyRate: 0, until: null },
    )
  }
}
