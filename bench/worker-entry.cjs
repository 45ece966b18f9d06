/**
 * Starts bench/worker-process.ts as production runs a worker (`node lib/worker.js`): TypeScript is loaded through
 * tsx registered in this thread only, and Node's source maps stay off. Under `node --import tsx` every workflow
 * thread inherits the loader and source maps, and the SDK compiles small functions for each promise created in
 * workflow code, each about three times slower with source maps on: the bench would measure a cost of tsx's that
 * production does not pay.
 */
require('tsx/cjs/api').register();
require('./worker-process.ts');
process.setSourceMapsEnabled(false);
