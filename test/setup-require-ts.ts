// The SDK loads the failure converter with Node's own `require` (by path, in the worker and the client): let it
// load the TypeScript source in tests, as tsx does for `npm start` and the compiled lib/ does in production.
import { register } from 'tsx/cjs/api';

register();
