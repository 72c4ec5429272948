import { ArgsType, Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { AppVersion } from '../versions/app-version.entity';
import { RolloutState } from './rollout-rule';

registerEnumType(RolloutState, { name: 'RolloutState' });

@ObjectType({ simpleResolvers: true, description: "Which share of devices is offered a published version, and how that changes." })
export class Rollout {
  @Field(() => Float, { description: 'Devices whose bucket (0..9999) is below percentage × 100 are offered the version.' })
  percentage!: number;

  @Field(() => RolloutState)
  state!: RolloutState;

  @Field({ description: 'Steps through 1, 2, 5, 10, 20, 50, 100% by itself, one step per phase interval.' })
  phased!: boolean;

  @Field(() => Float, { nullable: true, description: 'The rollout halts itself when the crash-free rate falls below this (0..1).' })
  haltBelowCrashFreeRate!: number | null;

  @Field(() => String, { nullable: true })
  haltedReason!: string | null;

  @Field()
  startedAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ArgsType()
export class PublishArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => Float, { nullable: true, description: 'In (0, 100]; below 100 starts a staged rollout. Absent: 100.' })
  rolloutPercentage?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Start at 1% and step through 1, 2, 5, 10, 20, 50, 100%.' })
  phased?: boolean | null;

  @Field(() => Float, { nullable: true, description: 'Halt the rollout by itself when the crash-free rate falls below this (0..1).' })
  haltBelowCrashFreeRate?: number | null;
}

/** AppVersion.rollout: null for versions never published. */
export function rolloutOf(version: AppVersion): Rollout | null {
  if (!version.rolloutState) return null;
  return {
    percentage: version.rolloutPercentage!,
    state: version.rolloutState,
    phased: version.rolloutPhased,
    haltBelowCrashFreeRate: version.rolloutHaltBelow,
    haltedReason: version.rolloutHaltedReason,
    startedAt: version.rolloutStartedAt!,
    updatedAt: version.rolloutUpdatedAt!,
  };
}

/** The `data` of a webhook event about a version: what changed, and its state now, spelled as the API spells it. */
export function versionEventData(version: AppVersion): Record<string, unknown> {
  const rollout = rolloutOf(version);
  return {
    appId: version.appId,
    versionId: version.id,
    versionCode: version.versionCode,
    versionName: version.versionName,
    status: version.status.toUpperCase(),
    rollout: rollout && { ...rollout, state: rollout.state.toUpperCase() },
  };
}
