import type { z } from 'zod';

/** One entry of a method map: how its params and result are checked. */
export const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
