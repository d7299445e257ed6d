// Placeholder for commands whose issue has not landed yet: says so plainly, exits 2.
import { RollcallError, EXIT } from '../core/errors.js';

export function notBuilt(command: string): never {
  throw new RollcallError(`'${command}' is not built yet.`, EXIT.cannotStart);
}
