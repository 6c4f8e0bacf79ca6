import '@x/api-billing-react/styles.css'
import './dashboard.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { Dashboard } from './dashboard.js'

const root = document.getElementById('root')
if (root === null) throw new Error('The page has no #root element')
createRoot(root).render(
  <StrictMode>
    <Dashboard />
  </StrictMode>,
)
