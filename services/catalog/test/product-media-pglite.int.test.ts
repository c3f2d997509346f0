import { productMediaSuite } from './product-media-suite.js'

productMediaSuite('pglite')
