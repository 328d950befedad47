/** The API's Temporal client is the one every function shares (runtime/temporal-client.ts). */
export { temporalClient } from '../runtime/temporal-client';
