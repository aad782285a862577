import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './signoff.css';
import { SignoffApp } from './SignoffApp';

document.body.classList.add('so-body');
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SignoffApp />
  </StrictMode>,
);
