import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@trussworks/react-uswds/lib/uswds.css';
import '@trussworks/react-uswds/lib/index.css';
import './styles.css';
import { App } from './app.tsx';
import { SessionProvider } from './session.context.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
);
