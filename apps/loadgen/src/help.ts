import { defaults, smoke } from './args.js'
import { expectedProblemCodes } from './classify.js'
import { defaultCards, defaultMix } from './options.js'

const weights = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')

export const helpText = `Emporium load generator: a crowd of shoppers driving the public API (/api/v1).

Usage: npm run loadgen -- [options]

Open-model load: scenarios START at a target arrival rate (Poisson by default), whatever the
platform's speed; an arrival finding --max-in-flight scenarios under way is dropped (counted),
not delayed. At the end: a table per operation (count, errors, throttled, expected outcomes,
req/s, p50/p90/p99/max latency from an HDR histogram), checkouts (placed, confirmed, cancelled
by reason, place → final time), then the invariants checked as an admin.

Target and shape
  --target, --base-url URL   gateway origin (default ${defaults.target})
  --rate N                   scenario arrivals per second at full rate (default ${defaults.rate})
  --duration S               seconds of arrivals (default ${defaults.duration})
  --ramp S                   linear ramp from 0 to --rate over the first S seconds
                             (default ${defaults.ramp}, at most a quarter of --duration)
  --arrivals poisson|uniform random or evenly spaced arrivals (default ${defaults.arrivals})
  --max-in-flight N          scenarios at once; more arrivals are dropped (default ${defaults.maxInFlight})
  --mix LIST                 scenario weights; names left out weigh 0
                             (default ${weights(defaultMix)})
                               browse    list (category, price band, sort), more pages, a product
                               search    full-text search for a word of a known product, a hit
                               view      product pages
                               cart      add a product, change its quantity, view the cart,
                                         remove it
                               checkout  clear the cart, add 1-3 products, place the order with a
                                         test card and an Idempotency-Key, follow it to its end;
                                         a declined order (payment_failed) is paid again or
                                         cancelled (--retry-after-decline)
                               history   the shopper's orders, an older page, one order
  --cards LIST               test card weights at checkout
                             (default ${weights(defaultCards)})
                             approved 4242…, declined …0002, insufficient …9995 (funds),
                             transient …0119 (two provider errors, then approved), slow …0259 (5 s)
  --retry-after-decline P    percent of the shoppers whose payment is declined (the order is held
                             payment_failed until its paymentDueBy) that pay again with the
                             approved card (POST /orders/{id}/payment-attempts, a new
                             Idempotency-Key per attempt, at most 2 per order); the others cancel
                             the order (POST /orders/{id}/cancel) (default ${defaults.retryAfterDecline})
  --follow stream|poll|none  follow orders by their event stream (default), GET /orders/{id}, or not
  --final-timeout S          how long a checkout waits for its order to end (default ${defaults.finalTimeout})
  --timeout S                deadline of one request (default ${defaults.timeout})
  --max-retry-wait S         longest retry-after a throttled request waits (default ${defaults.maxRetryWait})
  --seed N                   repeat the same random choices
  --smoke                    short gentle run for CI: rate ${smoke.rate}, ${smoke.duration} s, ${smoke.shoppers} shoppers
                             (explicit options still win)
  --quiet                    no progress line (otherwise on stderr: live on a TTY, every 5 s if not)

Shoppers
  --shoppers N               pool of virtual shoppers, each with its own account, token and
                             rate-limit quota (default ${defaults.shoppers}). Cart and checkout lease a shopper
                             of their own; when none is free the arrival is dropped (no_shopper).
                             For a real load: ≥ checkout rate × place→final seconds + cart rate.
  --state FILE               keeps the shoppers' accounts and refresh tokens between runs, so
                             repeated runs reuse them (refresh, else login) instead of
                             registering again (default ${defaults.state})
  --no-state                 register a fresh pool and keep nothing

Verdict and output
  --max-error-rate X         exit non-zero when errors / requests > X (default ${defaults.maxErrorRate} = 1%)
  --json FILE|-              also write the JSON report (with invariants and verdict); "-" writes it
                             to stdout and the table to stderr
  --admin-email E            admin for the invariant check (default ${defaults.adminEmail});
  --admin-password P         logs in, or registers when unknown; an operator makes it admin with
                             npm run admin -- grant E (registration alone never does). Without an
                             admin the check is skipped and says why; that is not a failure.
  --settle S                 wait up to S seconds for open orders to end (default ${defaults.settle})
  --no-invariants            skip the check
  -h, --help                 this text

How answers are counted
  ok          2xx
  throttled   429 from the gateway's rate limits: not an error. The shopper (or the address, for
              anonymous, login and registration calls) sends nothing until retry-after has passed,
              then one request probes the quota, then as many as its ratelimit-remaining allows;
              a refused request is retried (3 tries; a wait over --max-retry-wait gives up and the
              scenario ends unfinished)
  expected    business outcomes, not errors: 409 with a stock or cart-size problem code
              (${[...expectedProblemCodes].slice(0, 3).join(', ')},
              ${[...expectedProblemCodes].slice(3).join(', ')});
              a 401 for a stale saved account, 409 for an e-mail already taken (pool setup);
              an order cancelled for a declined card, insufficient funds, stock and so on (reported
              under Checkouts by reason); a 409 to paying again or cancelling after a decline
              (past the payment deadline). Checkouts also report the declines, the payments
              made again and how those orders ended, and the orders cancelled after a decline
  error       anything else, by kind: "http <status> <problem code or type>", "network <code>"
              (ECONNREFUSED, ECONNRESET, …), "timeout"
Exit status: 0 passed; 1 error rate over --max-error-rate; 2 an invariant failed; 3 both;
64 bad usage.

Rate limits
  The gateway limits each client: 300 requests/min per user (per address when anonymous), 10
  registrations/hour and 20 logins/15 min per address. The defaults here fit a default npm start
  (throttles are reported, the pool is registered once and reused). For a real load start the
  platform with raised limits and an admin for the invariant check:
    npm run start:load   npm start with GATEWAY_RATE_LIMIT_PER_MINUTE,
                         GATEWAY_REGISTER_LIMIT_PER_CLIENT and GATEWAY_LOGIN_LIMIT_PER_CLIENT
                         raised
    npm run loadgen -- --rate 15 --duration 60 --ramp 10 --shoppers 60
    npm run admin -- grant ${defaults.adminEmail}   (once, after the first run registered it)

Invariants (admin, over the API, after the run settles)
  orders final           GET /orders?all=true walked fully: every order confirmed, shipped or
                         cancelled (payment_failed is not final: it waits for the shopper)
  stock never negative   GET /products/{id}/stock of every product touched: on hand, reserved and
                         available ≥ 0 and consistent; nothing reserved once no order is open
  payments reconcile     every confirmed order captured for its total once (over all its
                         payment attempts), no cancelled one left captured, no double capture, ledger captured − refunded = confirmed
                         totals (GET /payments, GET /payments/reconciliation)
`
