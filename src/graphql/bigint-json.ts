/**
 * How a BigInt reaches JSON: as a string of its digits. graphql-scalars' `BigInt` sends values up
 * to 2^53 as JSON numbers and larger ones as strings (a bigger JSON number loses digits in every
 * JavaScript client); it looks for `BigInt.prototype.toJSON` to learn whether bigints may reach
 * JSON.stringify. Without it, it turns inputs into plain numbers (not the `bigint` the input types
 * declare) and prints a plain-text warning into the JSON log. Answers are the same either way.
 */
declare global {
  interface BigInt {
    toJSON(): string;
  }
}

if (!('toJSON' in BigInt.prototype)) {
  Object.defineProperty(BigInt.prototype, 'toJSON', {
    value: function toJSON(this: bigint) {
      return this.toString();
    },
    writable: true,
    configurable: true,
  });
}

export {};
