/** Runs a callback at the next paint; returns a cancel function. */
export interface FrameScheduler {
  request(callback: () => void): () => void;
}

/**
 * requestAnimationFrame, with a timer as a backstop: a hidden window gets no frames at all, and
 * the event buffer must not grow without bound while the trader has the window minimised.
 */
export function browserFrameScheduler(backstopMs = 250): FrameScheduler {
  return {
    request(callback) {
      let done = false;
      const run = (): void => {
        if (done) return;
        done = true;
        cancelAnimationFrame(frame);
        clearTimeout(timer);
        callback();
      };
      const frame = requestAnimationFrame(run);
      const timer = setTimeout(run, backstopMs);
      return () => {
        done = true;
        cancelAnimationFrame(frame);
        clearTimeout(timer);
      };
    },
  };
}
