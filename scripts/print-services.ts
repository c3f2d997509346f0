// Prints the declared services (packages/contracts/src/services.ts), one a line as
// `<name> <database>`, for shell scripts that cannot import TypeScript (scripts/infra-up.sh).
// Run: node --import tsx scripts/print-services.ts
import { serviceDeclarations } from '@emporium/contracts'

for (const service of serviceDeclarations) console.log(`${service.name} ${service.database}`)
