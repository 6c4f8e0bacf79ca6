// Express 4, installed as the dev alias `express4`, typed with Express 5's types (the API used here is common).
declare module 'express4' {
  import express = require('express')
  export = express
}
