export * from './config';
export * from './errors';
export * from './gbg-go-v1';
export * from './gbg-go-v2';
export * from './idnow';
export * from './normalise';
export * from './requests';
export * from './status';
export type { NormaliseContext } from './util';
