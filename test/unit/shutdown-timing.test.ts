import { FUNCTIONS } from '../../lambdas/catalog';
import { CLOSE_MARGIN_SECONDS, INVOKE_MARGIN_SECONDS, shutdownTiming, shutdownTimingWarning } from '../../worker/shutdown-timing';

describe('the worker\'s stop timeout and shutdown grace', () => {
  it('derive from the longest declared step plus the margins when that fits in Fargate\'s 120 s', () => {
    const t = shutdownTiming([{ name: 'short', timeoutSeconds: 20 }, { name: 'long', timeoutSeconds: 60 }]);
    expect(t).toEqual({ longestStep: { functionName: 'long', timeoutSeconds: 60 }, graceSeconds: 60 + INVOKE_MARGIN_SECONDS, stopTimeoutSeconds: 60 + INVOKE_MARGIN_SECONDS + CLOSE_MARGIN_SECONDS, neededStopTimeoutSeconds: 80, fits: true });
    expect(shutdownTimingWarning(t)).toBeUndefined();
  });

  it('stop at what ECS allows, and say so, when the longest step does not fit', () => {
    const t = shutdownTiming([{ name: 'trainEpoch', timeoutSeconds: 120 }]);
    expect(t).toMatchObject({ stopTimeoutSeconds: 120, graceSeconds: 110, neededStopTimeoutSeconds: 140, fits: false });
    expect(shutdownTimingWarning(t)).toMatch(/^the longest step \(function trainEpoch, timeout 120 s\) needs a stop timeout of 140 s .* Fargate allows at most 120 s: the worker gets 110 s of shutdown grace/);
  });

  it('for this project\'s catalog: the 120 s functions do not fit, so the grace is 110 s', () => {
    const longest = Math.max(...FUNCTIONS.map((f) => f.timeoutSeconds));
    const t = shutdownTiming(FUNCTIONS);
    expect(t.longestStep.timeoutSeconds).toBe(longest);
    expect(t).toMatchObject({ stopTimeoutSeconds: 120, graceSeconds: 110, fits: false });
  });
});
