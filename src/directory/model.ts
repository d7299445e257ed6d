// The directory model lives in the core layer (src/core/directory.ts): every layer shares it.
export type { ContactKind, ContactPoint, Directory, Party, PartyStatus } from '../core/directory.js';
