import { Navigate, Route, Routes } from 'react-router';
import { useSession } from './api/session';
import { Layout } from './components/Layout';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { AppPage } from './pages/AppPage';
import { AppsPage } from './pages/AppsPage';
import { ReviewQueuePage } from './pages/ReviewQueuePage';
import { SignInPage, SignUpPage } from './pages/SignInPages';
import { SigningKeysPage } from './pages/SigningKeysPage';
import { TelemetryPage } from './pages/TelemetryPage';

export function App() {
  const { token } = useSession();
  if (!token) {
    return (
      <Routes>
        <Route path="/signup" element={<SignUpPage />} />
        <Route path="*" element={<SignInPage />} />
      </Routes>
    );
  }
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/apps" element={<AppsPage />} />
        <Route path="/apps/:appId" element={<AppPage />} />
        <Route path="/apps/:appId/telemetry" element={<TelemetryPage />} />
        <Route path="/api-keys" element={<ApiKeysPage />} />
        <Route path="/signing-keys" element={<SigningKeysPage />} />
        <Route path="/review" element={<ReviewQueuePage />} />
        <Route path="*" element={<Navigate to="/apps" replace />} />
      </Route>
    </Routes>
  );
}
