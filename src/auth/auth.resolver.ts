import { Arg, Ctx, Extensions, Mutation, Resolver } from 'type-graphql';
import { CHECKS_OWN_INPUT } from '../graphql/input-rules';
import type { RequestContext } from '../graphql/context';
import { AuthPayload, SignUpInput } from './auth.types';
import { requirePrincipal } from './guards';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a developer account and signs it in.' })
  async signUp(@Arg('input') input: SignUpInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    const result = await ctx.services.auth.signUp(
      { email: input.email.trim(), name: input.name.trim(), password: input.password },
      ctx.ip,
    );
    ctx.principal = result.principal;
    return result;
  }

  // Checks its own arguments' length and encoding (input-rules), so a refused attempt is audited too.
  @Mutation(() => AuthPayload)
  @Extensions({ [CHECKS_OWN_INPUT]: true })
  async signIn(
    @Arg('email') email: string,
    @Arg('password') password: string,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    const result = await ctx.services.auth.signIn(email, password, ctx.ip);
    ctx.principal = result.principal;
    return result;
  }

  @Mutation(() => Boolean, { description: 'Revokes the session token this request was made with.' })
  signOut(@Ctx() ctx: RequestContext): Promise<boolean> {
    return ctx.services.auth.signOut(requirePrincipal(ctx), ctx.ip);
  }
}
