export { ClaimCheckCodec, CLAIM_CHECK_ENCODING } from './codec';
export { CLAIM_CHECK_PREFIX, isClaimCheckRef, type ClaimCheckRef } from './ref';
export { ClaimCheckError, ClaimCheckStore, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES, type ClaimCheckErrorCode } from './store';
