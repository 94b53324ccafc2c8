/** Entry of the page: registers the app element. */
import './snn-app';
