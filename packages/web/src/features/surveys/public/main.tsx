import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './survey.css';
import { SurveyApp } from './SurveyApp';

document.body.classList.add('sv-body');
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SurveyApp />
  </StrictMode>,
);
