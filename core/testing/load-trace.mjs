// `node --import core/testing/load-trace.mjs …`: appends the URL of every module
// the process loads to $VIRIDIAN_LOAD_LOG (the host-service test proves that
// Server Core mode loads no UI code with it).
import { register } from 'node:module';

register('./load-trace-hooks.mjs', import.meta.url);
