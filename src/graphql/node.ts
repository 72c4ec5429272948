import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay's Node interface: any object refetchable by its id through `node(id)`. Its type is
 * resolved by type-graphql from the object's class, so `node` returns class instances.
 */
@InterfaceType({ description: 'An object with a globally unique id, refetchable through node(id).' })
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
