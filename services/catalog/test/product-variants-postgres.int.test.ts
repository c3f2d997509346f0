import { productVariantsSuite } from './product-variants-suite.js'

productVariantsSuite('postgres')
