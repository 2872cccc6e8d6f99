// The linearizability checker's public surface.
export { checkLinearizable, checkOperations, LINEARIZABLE_CHECKER, type LinearizableOptions } from './check.ts';
export { checkLinearizableWithin } from './wall-clock.ts';
export { NONLINEARIZABLE } from './anomaly.ts';
export {
  ILLEGAL,
  type AnyModel,
  type Illegal,
  type Model,
  type ModelCall,
  type Operation,
  type Part,
} from './model.ts';
export { MalformedOperationError } from './errors.ts';
export { modelOperations, pairOperations, type PairedOp } from './operations.ts';
export { casRegisterModel, registerModel, type RegisterInput, type RegisterOutput } from './models/register.ts';
export { multiRegisterModel, type MultiRegisterState, type RegisterMicroOp } from './models/multi-register.ts';
export { mutexModel, type MutexInput } from './models/mutex.ts';
export { keyValueModel, type KeyValueInput, type KeyValueOutput, type KeyValueState } from './models/key-value.ts';
export {
  kafkaLogModel,
  splitKafkaByKey,
  type KafkaLogState,
  type KafkaMicroOp,
  type KafkaOutcome,
  type LogRecord,
} from './models/kafka-log.ts';
export { isKnossosModelName, knossosModel, type KnossosModelName } from './knossos.ts';
