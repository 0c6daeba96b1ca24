import { render } from 'preact';
import '../base.css';
import { App } from './App.js';

render(<App />, document.getElementById('app')!);
