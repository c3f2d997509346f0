import Value from 'typebox/value'
import { EventEnvelope } from '@emporium/contracts'
console.log([...Value.Errors(EventEnvelope, {id:'x',type:'a.b',version:1,occurredAt:'nope',source:'s',correlationId:'c',data:1})])
console.log([...Value.Errors(EventEnvelope, {id:'x',type:'a.b',version:1,occurredAt:new Date().toISOString(),source:'s',correlationId:'c',data:1})])
