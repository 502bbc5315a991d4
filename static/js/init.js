// Start the GOV.UK Frontend components (the site works without this: it only enhances).
import { initAll } from '../govuk/govuk-frontend.min.js'
initAll()
