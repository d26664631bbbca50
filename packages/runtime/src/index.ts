/**
 * @carnet/runtime — the contract of the in-browser Python runtime, shared by the page, the worker
 * and the server that configures them. Pure: no DOM, no server.
 */
export * from './protocol.ts';
export { translateCell, lineStartStates } from './magics.ts';
