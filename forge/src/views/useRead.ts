/**
 * Runs one read when the view opens, and again when one of `inputs` changes, and keeps its outcome
 * (undefined while it is on its way). `read` must not reject: it says what went wrong in its outcome.
 */
import { useEffect, useState } from 'react';

export function useRead<T>(read: () => Promise<T>, inputs: unknown[]): T | undefined {
  const [outcome, setOutcome] = useState<T | undefined>(undefined);
  useEffect(() => {
    let current = true;
    setOutcome(undefined);
    void read().then((value) => {
      if (current) {
        setOutcome(value);
      }
    });
    return () => {
      current = false;
    };
  }, inputs);
  return outcome;
}
