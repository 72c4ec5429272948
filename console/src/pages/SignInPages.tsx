import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../api/session';
import { FormProblem, TextField } from '../components/forms';
import { useSignIn, useSignUp } from '../hooks/queries';

const LABELS = { email: 'Email', name: 'Name', password: 'Password' };

/** After signing in or up: keep the token and go to the apps. */
function useStartSession() {
  const session = useSession();
  const navigate = useNavigate();
  return ({ token }: { token: string }) => {
    session.start(token);
    navigate('/apps');
  };
}

function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main id="main" className="auth">
      <p className="brand">Mosis console</p>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function SignInPage() {
  const startSession = useStartSession();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    signIn.mutate({ email, password }, { onSuccess: ({ signIn: payload }) => startSession(payload) });
  }

  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit} className="card">
        <TextField label="Email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={signIn.error} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={signIn.error} />
        <FormProblem error={signIn.error} labels={LABELS} />
        <button type="submit" disabled={signIn.isPending}>
          Sign in
        </button>
      </form>
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </AuthFrame>
  );
}

export function SignUpPage() {
  const startSession = useStartSession();
  const signUp = useSignUp();
  const [input, setInput] = useState({ email: '', name: '', password: '' });
  const set = (field: keyof typeof input) => (e: React.ChangeEvent<HTMLInputElement>) => setInput({ ...input, [field]: e.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    signUp.mutate({ input }, { onSuccess: ({ signUp: payload }) => startSession(payload) });
  }

  return (
    <AuthFrame title="Create your developer account">
      <form onSubmit={submit} className="card">
        <TextField label="Email" name="email" type="email" autoComplete="email" required value={input.email} onChange={set('email')} error={signUp.error} />
        <TextField label="Name" name="name" autoComplete="name" required value={input.name} onChange={set('name')} error={signUp.error} />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" required minLength={10} value={input.password} onChange={set('password')} error={signUp.error} hint="At least 10 characters." />
        <FormProblem error={signUp.error} labels={LABELS} />
        <button type="submit" disabled={signUp.isPending}>
          Sign up
        </button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </AuthFrame>
  );
}
